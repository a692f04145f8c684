import { readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type DoctorCheck, fail, ok, warn } from './doctor-check.js';
import { realPathOf } from './doctor-context.js';
import { isWritable, nearestExisting } from './process-check.js';

/** File systems where locks, atomic renames and file events are not to be trusted. */
const NETWORK_FS = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'smbfs',
  'afpfs',
  'webdav',
  'fuse.sshfs',
  '9p',
  'davfs',
]);

/** The type of the file system `path` (a real path) lies on, from `<procRoot>/self/mounts`; null when unknown. */
export async function findFileSystemType(path: string, procRoot: string): Promise<string | null> {
  const mounts = await readFile(join(procRoot, 'self', 'mounts'), 'utf8').catch(() => null);
  if (mounts === null) return null;
  let best: { point: string; type: string } | null = null;
  for (const line of mounts.split('\n')) {
    const [, rawPoint, type] = line.split(' ');
    if (!rawPoint || !type) continue;
    // /proc/mounts escapes space, tab, newline and backslash as octal.
    const point = rawPoint.replace(/\\([0-7]{3})/g, (_, octal: string) =>
      String.fromCharCode(Number.parseInt(octal, 8)),
    );
    const inside = point === '/' || path === point || path.startsWith(`${point}${sep}`);
    if (inside && (!best || point.length >= best.point.length)) best = { point, type };
  }
  return best?.type ?? null;
}

/** The state folder (`.tmp/dev`) can be written and lies on a local file system. */
export const checkoutStateCheck: DoctorCheck = {
  id: 'checkout.state',
  async run({ checkout, procRoot }) {
    const where = relative(checkout.root, checkout.stateDir);
    if (!(await isWritable(checkout.stateDir))) {
      const blocking = await nearestExisting(checkout.stateDir);
      return fail(
        this.id,
        `${where} cannot be written (${blocking} is not writable)`,
        `\`chmod u+w "${blocking}"\` (or fix its owner: \`sudo chown -R $(id -un) "${blocking}"\`).`,
      );
    }
    for (const folder of [checkout.unitsDir, checkout.nexuHome]) {
      const kind = await stat(folder).catch(() => null);
      if (kind && !kind.isDirectory()) {
        const name = relative(checkout.root, folder);
        return fail(
          this.id,
          `${name} is not a folder: no service's unit, state or log can be read or written there`,
          `Move it aside (\`mv "${name}" "${name}.moved"\`), then run pnpm start: it writes the folder again.`,
        );
      }
    }
    const type = await findFileSystemType(realPathOf(await nearestExisting(checkout.stateDir)), procRoot);
    if (type && NETWORK_FS.has(type)) {
      return warn(
        this.id,
        `${where} lies on a network file system (${type}): locks, atomic writes and file events are unreliable there`,
        'Clone the repo onto a local disk and run pnpm start there.',
      );
    }
    return ok(this.id, `${where} is writable${type ? ` (${type})` : ''}`);
  },
};
