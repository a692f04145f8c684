/** Path of the server's Server-Sent Events channel. */
export const LIVE_RELOAD_PATH = '/__nexu/live-reload';

/** Reloads the page when the server says the built files changed. */
export function listenForReload(): void {
  const events = new EventSource(LIVE_RELOAD_PATH);
  events.addEventListener('reload', () => location.reload());
}
