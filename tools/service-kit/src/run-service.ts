import { type ConfigResult, EX_CONFIG, type RawEnv, type ServiceConfig } from './config.js';
import type { ListenResult } from './listen.js';
import { stampOutput } from './stamp-output.js';

/** What `createServer()` returns in every app. */
export interface ServiceApp {
  /** Binds 127.0.0.1:`port` (0 = ephemeral) and starts background work. */
  listen(port: number): Promise<ListenResult>;
  /** Stops background work, closes connections, finishes in-flight requests; idempotent. */
  close(): Promise<void>;
}

/** Options of `runService`: how to read env and build the app. */
export interface RunServiceOptions<C extends ServiceConfig> {
  readonly service: string;
  readonly resolveConfig: (env: RawEnv) => ConfigResult<C>;
  readonly create: (config: C) => ServiceApp;
  /** Longest graceful shutdown before the process exits anyway (default 2000 ms). */
  readonly shutdownMs?: number;
}

/**
 * The whole of every `main.ts`: read env (exit 78 with one line on bad config), listen (exit 78 on a
 * taken port, so supervisors do not crash-loop on a port race), print the URL, and shut down
 * gracefully on SIGTERM/SIGINT.
 */
export async function runService<C extends ServiceConfig>(options: RunServiceOptions<C>): Promise<void> {
  const { service } = options;
  // Under nexu dev, every line of the log carries its time (`pnpm logs --since`).
  if (process.env.NEXU_DEV_INSTANCE) {
    stampOutput(process.stdout);
    stampOutput(process.stderr);
  }
  const resolved = options.resolveConfig(process.env);
  if (!resolved.ok) {
    process.stderr.write(`${service}: ${resolved.reason}\n`);
    process.exit(EX_CONFIG);
  }
  const app = options.create(resolved.config);
  const result = await app.listen(resolved.config.port);
  if (!result.ok) {
    process.stderr.write(`${service}: ${result.message}\n`);
    await app.close();
    process.exit(result.code === 'EADDRINUSE' || result.code === 'EACCES' ? EX_CONFIG : 1);
  }
  process.stdout.write(`${service} listening on ${result.url} (pid ${process.pid})\n`);

  const shutdownMs = options.shutdownMs ?? 2000;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${service}: second ${signal}, exiting now\n`);
      process.exit(0);
    }
    stopping = true;
    process.stdout.write(`${service}: ${signal} received, shutting down\n`);
    const force = setTimeout(() => {
      process.stderr.write(`${service}: shutdown took longer than ${shutdownMs} ms, exiting anyway\n`);
      process.exit(0);
    }, shutdownMs);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${service}: error while shutting down: ${String(error)}\n`);
        process.exit(0);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
