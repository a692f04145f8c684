import { DEV_STATUS_EVENT } from '@nexu/service-kit/dev-status';

/** Path of the server's Server-Sent Events channel. */
export const LIVE_RELOAD_PATH = '/__nexu/live-reload';

/**
 * Reloads the page when the server says the built files changed. In development (a watching
 * `pnpm start`) the server also sends the watch session's status on the same stream: only then is
 * the dev tools' code (overlay, reload marker, services panel) loaded, as a chunk of its own.
 */
export function listenForReload(): void {
  const events = new EventSource(LIVE_RELOAD_PATH);
  events.addEventListener('reload', () => location.reload());
  events.addEventListener(
    DEV_STATUS_EVENT,
    (first) => {
      import('./dev/dev-tools.js').then(
        ({ startDevTools }) => startDevTools(events, first.data),
        // A page older than the last client build asks for a chunk that is gone; the reload
        // event that build sent brings the new page.
        (error: unknown) => console.warn('nexu dev tools could not load:', error),
      );
    },
    { once: true },
  );
}
