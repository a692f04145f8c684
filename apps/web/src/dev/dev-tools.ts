import './dev-tools.css';
import { DEV_STATUS_EVENT, type DevStatusView } from '@nexu/service-kit/dev-status';
import { createProblemOverlay } from './problem-overlay.js';
import { createReloadMarker } from './reload-marker.js';
import { createServicesPanel } from './services-panel.js';

/**
 * The dashboard's development tools, loaded only when the server sends the watch session's status:
 * the overlay of failed builds and crashed services, the reload marker, the services panel. Each
 * status event on `events` re-renders them; the stream reconnects by itself across a restart of the
 * web server, and the first event after it brings the page up to date.
 */
export function startDevTools(events: EventSource, first: string): void {
  const panel = createServicesPanel(document.querySelector('main') ?? document.body);
  const overlay = createProblemOverlay(document.body);
  const marker = createReloadMarker(document.body);
  const render = (data: string) => {
    const view = JSON.parse(data) as DevStatusView;
    panel.render(view);
    overlay.render(view);
    marker.render(view);
  };
  render(first);
  events.addEventListener(DEV_STATUS_EVENT, (event) => render(event.data));
  events.addEventListener('error', () => panel.connected(false));
  events.addEventListener('open', () => panel.connected(true));
  setInterval(() => panel.tick(), 1_000);
}
