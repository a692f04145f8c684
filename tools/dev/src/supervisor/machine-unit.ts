import { sep } from 'node:path';

const HOME_SUFFIX = `${sep}.tmp${sep}dev${sep}nexu-home`;

/** What a unit's environment says about its checkout: the marker, the root, the port. */
export function checkoutFieldsOf(env: Readonly<Record<string, string | undefined>>): {
  marker: string | null;
  root: string | null;
  port?: number;
} {
  const home = env.NEXU_HOME;
  // Units rendered before NEXU_DEV_ROOT existed: NEXU_HOME is always <root>/.tmp/dev/nexu-home.
  const fromHome = home?.endsWith(HOME_SUFFIX) ? home.slice(0, -HOME_SUFFIX.length) : null;
  const port = Number(env.PORT);
  return {
    marker: env.NEXU_DEV_INSTANCE || null,
    root: env.NEXU_DEV_ROOT || fromHome || null,
    ...(Number.isInteger(port) && port > 0 ? { port } : {}),
  };
}
