import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Absolute path of a file inside an installed package (peers are the repo's devDependencies). */
export function resolvePackageFile(pkg: string, file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}

/** `[node, <cli file>]`: runs a package's CLI with the node running the bench (no shell, no npx). */
export function nodeCli(pkg: string, file: string): string[] {
  return [process.execPath, resolvePackageFile(pkg, file)];
}
