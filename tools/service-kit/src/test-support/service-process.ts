import { type ChildProcess, spawn } from 'node:child_process';
import { waitUntil } from './wait-until.js';

/** How a spawned service ended. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A `node dist/main.js` child started by a test, with its output captured. */
export class ServiceProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Base URL, known once `waitForListening()` has seen the listening line. */
  url = '';
  stdout = '';
  stderr = '';
  private exitInfo: ExitInfo | undefined;
  private readonly exited: Promise<ExitInfo>;

  constructor(entry: string, env: Record<string, string>) {
    this.child = spawn(process.execPath, [entry], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (this.child.pid === undefined) throw new Error(`could not spawn node ${entry}`);
    this.pid = this.child.pid;
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  /** `undefined` while running. */
  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** Waits for the process to exit (throws after `timeoutMs`). */
  async waitForExit(timeoutMs = 10_000): Promise<ExitInfo> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`pid ${this.pid} did not exit within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for the "listening on http://127.0.0.1:<port>" line and returns the URL. */
  async waitForListening(timeoutMs = 10_000): Promise<string> {
    const found = await waitUntil(
      `pid ${this.pid} to print its listening line`,
      () => (this.exitInfo ? 'exited' : /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(this.stdout)?.[1]),
      timeoutMs,
    ).catch((error: Error) => error.message);
    if (!found.startsWith('http:')) {
      const exit = this.exitInfo ? `exited with ${JSON.stringify(this.exitInfo)}` : found;
      throw new Error(
        `pid ${this.pid} did not start: ${exit}; stdout: ${this.stdout}; stderr: ${this.stderr}`,
      );
    }
    this.url = found;
    return found;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the pid is really gone. Idempotent. */
  async stop(graceMs = 3000): Promise<ExitInfo> {
    if (!this.exitInfo) {
      this.child.kill('SIGTERM');
      try {
        await this.waitForExit(graceMs);
      } catch {
        this.child.kill('SIGKILL');
      }
    }
    // 'close' comes after node has reaped the child: its pid is gone, not a zombie.
    return await this.waitForExit();
  }
}

/** Spawns `node <entry>` with only `env` (plus PATH) and waits until it listens. */
export async function startService(entry: string, env: Record<string, string>): Promise<ServiceProcess> {
  const service = new ServiceProcess(entry, env);
  try {
    await service.waitForListening();
    return service;
  } catch (error) {
    await service.stop();
    throw error;
  }
}
