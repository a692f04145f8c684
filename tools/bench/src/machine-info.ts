import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

/** The machine a run was taken on: absolute times only mean something together with this. */
export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly os: string;
  readonly kernel: string;
  readonly node: string;
  /** 1/5/15-minute load averages when read. */
  readonly load: readonly number[];
}

function osName(): string {
  try {
    const match = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (match?.[1]) return match[1];
  } catch {
    // not Linux, or no os-release
  }
  return process.platform;
}

/** Reads cores, memory, OS, kernel, node version and the current load average. */
export function readMachineInfo(): MachineInfo {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: osName(),
    kernel: release(),
    node: process.version,
    load: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
