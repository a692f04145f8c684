import { resolveNodePath } from './node-identity.js';

/** The path units run the running node by (see `resolveNodePath`), resolved once per process. */
export const stableNodePath = (): string => (cached ??= resolveNodePath(process.execPath));
let cached: string | undefined;
