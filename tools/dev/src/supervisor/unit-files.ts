import { readFile, rm } from 'node:fs/promises';

/** Reads a text file; null when it does not exist. */
export async function readTextOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The JSON at `path`; null when the file is missing, unreadable or not JSON (half-written, say). */
export async function readJsonOrNull<T>(path: string): Promise<T | null> {
  try {
    const text = await readTextOrNull(path);
    return text ? (JSON.parse(text) as T) : null;
  } catch {
    return null;
  }
}

/** Removes files, ignoring the ones that are already gone. */
export async function removeFiles(...paths: string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, { force: true })));
}
