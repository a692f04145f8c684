import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './command-runner.js';
import { parseLsofListeners } from './parse-lsof.js';
import { parseProcNetTcp, TCP_LISTEN } from './parse-proc-net-tcp.js';
import { isPortFree } from './port-free.js';
import { processIdentity } from './process-identity.js';

/** One listening socket on the port. `pid` is absent when its owner cannot be seen. */
export interface PortListener {
  /** Local address as the OS reports it (`127.0.0.1`, `0.0.0.0`, `::`, `::1`; lsof: `*`). */
  readonly address: string;
  readonly pid?: number;
  readonly command?: string;
}

/** Who holds a TCP port. "Busy, owner unknown" is never reported as free. */
export type PortOwner =
  | { readonly status: 'free'; readonly port: number }
  | {
      readonly status: 'listening';
      readonly port: number;
      readonly pid: number;
      readonly command: string;
      readonly listeners: readonly PortListener[];
    }
  | {
      readonly status: 'busy-unknown';
      readonly port: number;
      readonly listeners: readonly PortListener[];
      readonly reason: string;
    };

export interface FindPortOwnerOptions {
  /** Linux proc filesystem root; tests point it at a fake tree to play unseen owners. */
  procRoot?: string;
  /**
   * Pids likely to hold the port (a supervisor's main pid), looked at before every other process:
   * the common answer then costs a few reads instead of a walk over every process.
   */
  candidates?: readonly number[];
}

async function findLinuxListeners(
  port: number,
  procRoot: string,
  candidates: readonly number[],
): Promise<PortListener[]> {
  const tables = await Promise.all(
    ['tcp', 'tcp6'].map((name) => readFile(join(procRoot, 'net', name), 'utf8').catch(() => '')),
  );
  const sockets = tables.flatMap(parseProcNetTcp).filter((s) => s.state === TCP_LISTEN && s.port === port);
  if (sockets.length === 0) return [];
  const owners = await findSocketOwners(new Set(sockets.map((s) => s.inode)), procRoot, candidates);
  return Promise.all(
    sockets.map(async ({ address, inode }) => {
      const pid = owners.get(inode);
      if (pid === undefined) return { address };
      const command = (await processIdentity(pid, { procRoot }))?.command ?? '?';
      return { address, pid, command };
    }),
  );
}

// Walks /proc/<pid>/fd looking for `socket:[inode]`. Processes of other users (or hidden by
// hidepid) cannot be read: their sockets stay without an owner, which means "busy-unknown".
async function findSocketOwners(
  inodes: Set<string>,
  procRoot: string,
  candidates: readonly number[],
): Promise<Map<string, number>> {
  const owners = new Map<string, number>();
  const scan = async (pids: readonly string[]) => {
    for (const pid of pids) {
      const fdDir = join(procRoot, pid, 'fd');
      const fds = await readdir(fdDir).catch(() => []);
      const links = await Promise.all(fds.map((fd) => readlink(join(fdDir, fd)).catch(() => '')));
      for (const link of links) {
        const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
        if (inode && inodes.has(inode) && !owners.has(inode)) owners.set(inode, Number(pid));
      }
      if (owners.size === inodes.size) return;
    }
  };
  const first = candidates.map(String);
  await scan(first);
  if (owners.size < inodes.size) {
    const all = (await readdir(procRoot).catch(() => [])).filter((name) => /^\d+$/.test(name));
    await scan(all.filter((pid) => !first.includes(pid)));
  }
  return owners;
}

// `-sTCP:LISTEN` matters: without it lsof also lists the port's clients.
async function findMacListeners(port: number): Promise<PortListener[]> {
  const result = await runCommand(['/usr/sbin/lsof', '-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpcn']);
  return parseLsofListeners(result.stdout);
}

/**
 * Finds the process listening on TCP `port`: free, listening (pid + command), or busy-unknown
 * (how each platform tells: docs/platform.md, "Port owners").
 */
export async function findPortOwner(port: number, options: FindPortOwnerOptions = {}): Promise<PortOwner> {
  const listeners =
    process.platform === 'darwin'
      ? await findMacListeners(port)
      : await findLinuxListeners(port, options.procRoot ?? '/proc', options.candidates ?? []);
  const owned = listeners.find((l) => l.pid !== undefined);
  if (owned?.pid !== undefined) {
    return { status: 'listening', port, pid: owned.pid, command: owned.command ?? '?', listeners };
  }
  if (listeners.length > 0) {
    const where = listeners.map((l) => l.address).join(', ');
    return {
      status: 'busy-unknown',
      port,
      listeners,
      reason: `port ${port} is listened on (${where}) by a process this user cannot see`,
    };
  }
  // No visible listener: only a bind probe can tell "free" from "owned by someone we cannot see".
  if (await isPortFree(port)) return { status: 'free', port };
  return {
    status: 'busy-unknown',
    port,
    listeners,
    reason: `port ${port} cannot be bound but no listener is visible (another user, namespace or a non-listening socket)`,
  };
}
