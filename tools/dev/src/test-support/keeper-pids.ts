import { runCommand } from '../os/command-runner.js';
import { runtimeProgramPath } from '../os/runtime-program.js';

const KEEPER = runtimeProgramPath('keeper');

/** Pids of the process keepers running for a checkout's units folder (`keeper.mjs <unitsDir> ...`), from `ps`. */
export async function keeperPids(unitsDir: string): Promise<number[]> {
  const { stdout } = await runCommand(['ps', '-axo', 'pid=,command=']);
  return stdout
    .split('\n')
    .filter((line) => line.includes(`${KEEPER} ${unitsDir}`))
    .map((line) => Number.parseInt(line.trim(), 10));
}
