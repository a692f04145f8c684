import type { BuildOptions } from 'esbuild';

/** Entry point built when none is given, relative to the service folder. */
export declare const DEFAULT_SERVICE_ENTRY: string;
/** Bundle the supervisor runs with `node`, relative to the service folder. */
export declare const SERVICE_OUTFILE: string;
/** The service's npm `dependencies` (kept external); workspace packages are bundled. */
export declare function serviceExternals(serviceDir: string): string[];
/** esbuild options bundling `entry` of the service in `serviceDir` into `dist/main.js`. */
export declare function serviceBuildOptions(
  serviceDir: string,
  entry?: string,
): BuildOptions & {
  absWorkingDir: string;
  entryPoints: string[];
  outfile: string;
};
