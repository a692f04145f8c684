import { readFile, rename } from 'node:fs/promises';

/** What was found at a JSON state path. */
export type JsonFileResult =
  | { readonly kind: 'missing' }
  | { readonly kind: 'ok'; readonly value: unknown }
  | { readonly kind: 'corrupt'; readonly reason: string };

/** Reads and parses a JSON file; a missing or unparsable file is a result, not an exception. */
export async function readJsonFile(path: string): Promise<JsonFileResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  try {
    return { kind: 'ok', value: JSON.parse(text) };
  } catch (error) {
    return { kind: 'corrupt', reason: (error as Error).message };
  }
}

/** Moves a corrupt file aside to `<path>.corrupt-<timestamp>` and returns the new path. */
export async function moveAside(path: string, now = new Date()): Promise<string> {
  const target = `${path}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, target);
  return target;
}

/** Whether a parsed JSON value is a plain object (not an array or null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
