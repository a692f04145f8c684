import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from '@nexu/service-kit';
import { isProcessAlive } from '../os/process-identity.js';

// Test support only: tiny real processes, always cleaned up by the caller.

const LISTENER = `
const net = require('node:net');
if (process.argv[3] === 'ignore-term') process.on('SIGTERM', () => {});
const server = net.createServer((socket) => socket.end());
server.listen(Number(process.argv[1]), process.argv[2], () => process.stdout.write('ready\\n'));
`;

// A parent (standing in for a supervisor's main process) whose child does the listening.
const PARENT = `
const { spawn } = require('node:child_process');
spawn(process.execPath, ['-e', process.argv[1], ...process.argv.slice(2)], { stdio: 'inherit' });
setInterval(() => {}, 1000);
`;

export interface SpawnListenerOptions {
  port: number;
  /** `NEXU_DEV_INSTANCE` of the process; absent: no marker at all. */
  instance?: string;
  host?: string;
  /** Listen from a child of the spawned process (the spawned pid plays a supervisor's main pid). */
  viaParent?: boolean;
  /** Ignore SIGTERM, so only SIGKILL stops it. */
  ignoreTerm?: boolean;
}

export interface SpawnedProcess {
  /** Pid of the spawned (detached, group-leading) process. */
  readonly pid: number;
  readonly child: ChildProcess;
}

/** Spawns a detached TCP listener and resolves once it listens. */
export async function spawnListener(options: SpawnListenerOptions): Promise<SpawnedProcess> {
  const env = { ...process.env };
  delete env.NEXU_DEV_INSTANCE;
  if (options.instance !== undefined) env.NEXU_DEV_INSTANCE = options.instance;
  const args = [String(options.port), options.host ?? '127.0.0.1', options.ignoreTerm ? 'ignore-term' : ''];
  const argv = options.viaParent ? ['-e', PARENT, LISTENER, ...args] : ['-e', LISTENER, ...args];
  const child = spawn(process.execPath, argv, { detached: true, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const ready = await waitFor(() => output.includes('ready') || child.exitCode !== null, {
    timeoutMs: 10_000,
  });
  if (!ready.ok || !output.includes('ready') || child.pid === undefined) {
    child.kill('SIGKILL');
    throw new Error(`test listener on port ${options.port} did not start (exit ${child.exitCode})`);
  }
  return { pid: child.pid, child };
}

/** Spawns a detached process that just sleeps (a lock holder, a pid to kill). */
export function spawnSleeper(): SpawnedProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    detached: true,
    stdio: 'ignore',
  });
  if (child.pid === undefined) throw new Error('could not spawn a sleeper');
  return { pid: child.pid, child };
}

/** SIGKILLs a spawned process's whole group and waits until its pid is gone; true when gone. */
export async function killAndWait(pid: number): Promise<boolean> {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  // Gone means reaped too: until its parent reaps it, a zombie still keeps its process group alive.
  const groupGone = () => {
    try {
      process.kill(-pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  };
  return (await waitFor(async () => !isProcessAlive(pid) && groupGone(), { timeoutMs: 10_000 })).ok;
}
