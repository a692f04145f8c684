import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type DoctorCheck, ok, warn } from './doctor-check.js';

/** The nearest folder of `path` (itself or an ancestor) that exists. */
export async function nearestExisting(path: string): Promise<string> {
  for (let at = path; ; at = dirname(at)) {
    try {
      await access(at);
      return at;
    } catch {
      if (dirname(at) === at) return at;
    }
  }
}

/** Whether `path` can be written, or created in its nearest existing folder. */
export async function isWritable(path: string): Promise<boolean> {
  try {
    await access(await nearestExisting(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The process backend's keeper registry (`NEXU_DEV_KEEPER_REGISTRY`, `~/.local/state/nexu-dev/keepers`) is writable. */
export const processCheck: DoctorCheck = {
  id: 'process.registry',
  async run({ platform }) {
    const dir = platform.keeperRegistryDir;
    if (await isWritable(dir)) return ok(this.id, `the keeper registry ${dir} is writable`);
    return warn(
      this.id,
      `the keeper registry ${dir} is not writable: the process backend cannot record its keepers`,
      `\`mkdir -p "${dir}" && chmod u+rwx "${dir}"\`, or set NEXU_DEV_KEEPER_REGISTRY to a folder of yours.`,
    );
  },
};
