import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'dotenv';
import type { Checkout } from '../checkout/checkout.js';
import type { ServiceSpec } from './manifest.js';

/** The env files read at each level, lowest precedence first: `.local` wins over the plain one. */
export const ENV_FILE_NAMES = ['.env', '.env.local'] as const;

/** A line of an env file that is not `NAME=value`, a comment or blank: where, and what is wrong (never the value). */
export class EnvFileError extends Error {
  constructor(
    /** The file, relative to the checkout's root. */
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${problem}; fix the line (NAME=value, # comment) and run the command again.`);
    this.name = 'EnvFileError';
  }
}

/**
 * The env files of a service, lowest precedence first: the repo root's `.env`, `.env.local`, then
 * the service folder's `.env`, `.env.local` (app over root, `.local` over plain). Absolute paths.
 */
export function envFilePaths(spec: Pick<ServiceSpec, 'dir'>, checkout: Pick<Checkout, 'root'>): string[] {
  return [checkout.root, join(checkout.root, spec.dir)].flatMap((dir) =>
    ENV_FILE_NAMES.map((name) => join(dir, name)),
  );
}

/** What a service's env files set, and which file each variable comes from. */
export interface ServiceEnvFiles {
  readonly values: Readonly<Record<string, string>>;
  /** Each variable's file (relative to the root), the one that won. */
  readonly sources: Readonly<Record<string, string>>;
}

/**
 * Reads a service's env files (missing ones are skipped) and merges them by precedence. Throws an
 * EnvFileError naming the file and line of the first bad line.
 */
export function readServiceEnvFiles(
  spec: Pick<ServiceSpec, 'dir'>,
  checkout: Pick<Checkout, 'root'>,
): ServiceEnvFiles {
  const values: Record<string, string> = {};
  const sources: Record<string, string> = {};
  for (const path of envFilePaths(spec, checkout)) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const file = relative(checkout.root, path);
    for (const [name, value] of Object.entries(parseEnvFile(text, file))) {
      values[name] = value;
      sources[name] = file;
    }
  }
  return { values, sources };
}

const ASSIGNMENT = /^\s*(?:export\s+)?([^\s=:#]+)\s*(?:=|:\s)(.*)$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses one env file with dotenv's parser (quotes, `export`, comments, multi-line quoted values),
 * after checking every line, which dotenv would skip silently when it is not an assignment.
 */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const lines = text.split(/\r?\n/);
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at]!;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = ASSIGNMENT.exec(line);
    if (!match) throw new EnvFileError(file, at + 1, 'not NAME=value, a # comment or a blank line');
    const name = match[1]!;
    if (!NAME.test(name)) {
      throw new EnvFileError(
        file,
        at + 1,
        `"${name}" is not a variable name (letters, digits and _, not starting with a digit)`,
      );
    }
    // A quoted value may run over several lines: skip to the line that closes it.
    const value = match[2]!.trimStart();
    const quote = value[0];
    if (quote === '"' || quote === "'" || quote === '`') {
      if (closes(value.slice(1), quote)) continue;
      const from = at;
      do at++;
      while (at < lines.length && !closes(lines[at]!, quote));
      if (at >= lines.length)
        throw new EnvFileError(
          file,
          from + 1,
          `the value of ${name} opens a ${quote} quote that never closes`,
        );
    }
  }
  return parse(text);
}

/** Whether `text` holds a closing `quote` (one not escaped with a backslash). */
function closes(text: string, quote: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return true;
  }
  return false;
}
