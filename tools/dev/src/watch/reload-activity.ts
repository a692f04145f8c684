import type { DevBuildFailure, DevReload, DevServiceStatus } from '@nexu/service-kit/dev-status';
import type { ReloadEvent } from './reload-event.js';

/** What saves are doing to one service: the part of its dev status that reload events change. */
export interface ReloadActivity {
  readonly activity: DevServiceStatus['activity'];
  /** Failed builds by part (`web server`, `web client`); a good build of that part removes its entry. */
  readonly failures: ReadonlyMap<string, DevBuildFailure>;
  readonly lastReload: DevReload | null;
}

/** A service no save has touched yet. */
export const IDLE: ReloadActivity = { activity: null, failures: new Map(), lastReload: null };

/** The activity after `event`, which happened `at` (ISO-8601). Pure. */
export function applyReloadEvent(state: ReloadActivity, event: ReloadEvent, at: string): ReloadActivity {
  const failures = new Map(state.failures);
  switch (event.kind) {
    case 'building':
      return { ...state, activity: 'building' };
    case 'build-failed':
      failures.set(event.what, {
        what: event.what,
        at,
        errors: event.errors.map((e) => ({
          file: e.file ?? null,
          line: e.line ?? null,
          column: e.column ?? null,
          text: e.text,
        })),
      });
      return { ...state, activity: null, failures };
    case 'built':
      failures.delete(event.what);
      return { ...state, activity: null, failures };
    case 'restarting':
      failures.delete(event.what);
      return { ...state, activity: 'reloading', failures };
    case 'reloaded':
      failures.delete(event.what);
      return {
        activity: null,
        failures,
        lastReload: { what: event.what, at, ok: true, durationMs: event.durationMs, error: null },
      };
    case 'reload-failed':
      return {
        ...state,
        activity: null,
        lastReload: {
          what: event.what,
          at,
          ok: false,
          durationMs: 0,
          error: event.message.split('\n')[0] ?? event.message,
        },
      };
  }
}
