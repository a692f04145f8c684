import type { DevServiceStatus, DevStatusView } from '@nexu/service-kit/dev-status';
import { element } from './element.js';
import { formatAge } from './format-age.js';

/** The services panel: what `pnpm status` shows, live, plus each service's last reload. */
export interface ServicesPanel {
  render(view: DevStatusView): void;
  /** The stream to the server dropped (the web server restarts) or came back. */
  connected(connected: boolean): void;
  /** Updates the uptimes and ages (once a second). */
  tick(): void;
}

const COLUMNS = ['service', 'state', 'pid', 'port', 'uptime', 'restarts', 'last reload'] as const;

function stateText(service: DevServiceStatus): string {
  if (service.activity) return `${service.state} (${service.activity}…)`;
  if (service.state === 'running' && !service.healthy) return 'running (not answering)';
  return service.state;
}

function reloadText(service: DevServiceStatus, now: number): string {
  const reload = service.lastReload;
  if (!reload) return '–';
  const ago = `${formatAge(reload.at, now)} ago`;
  return reload.ok ? `${reload.what}: ${reload.durationMs} ms, ${ago}` : `${reload.what}: failed, ${ago}`;
}

/** Creates the panel as a card at the end of `parent`. */
export function createServicesPanel(parent: HTMLElement): ServicesPanel {
  const watching = element(
    'span',
    { class: 'nexu-dev-watching', 'data-testid': 'dev-watching' },
    'connecting…',
  );
  const body = element('tbody');
  const table = element(
    'table',
    { class: 'nexu-dev-services' },
    element('thead', {}, element('tr', {}, ...COLUMNS.map((c) => element('th', {}, c)))),
    body,
  );
  const note = element('p', { class: 'nexu-dev-note', 'data-testid': 'dev-panel-note', hidden: '' });
  parent.append(
    element(
      'section',
      { class: 'card nexu-dev-panel', 'data-testid': 'dev-panel' },
      element('h2', {}, 'services ', watching),
      table,
      note,
    ),
  );
  let view: DevStatusView | undefined;
  let online = true;

  const cell = (service: string, field: string, text: string) =>
    element('td', { 'data-testid': `dev-${service}-${field}` }, text);

  const draw = () => {
    if (!view) return;
    const now = Date.now();
    watching.textContent = !online ? 'reconnecting…' : view.watching ? 'watching' : 'not watching';
    watching.dataset.state = !online ? 'connecting' : view.watching ? 'up' : 'unknown';
    table.hidden = !view.watching;
    note.hidden = view.watching && online;
    note.textContent = !online
      ? 'The web server does not answer (it may be restarting); this page reconnects by itself.'
      : 'No `pnpm start` session is watching: the services keep running, but builds, reloads and crashes are not shown here. `pnpm start` watches again; `pnpm status` shows the services now.';
    body.replaceChildren(
      ...view.services.map((s) => {
        const row = element(
          'tr',
          { 'data-testid': `dev-row-${s.name}` },
          cell(s.name, 'name', s.name),
          cell(s.name, 'state', stateText(s)),
          cell(s.name, 'pid', s.pid === null ? '–' : String(s.pid)),
          cell(s.name, 'port', String(s.port)),
          cell(s.name, 'uptime', s.startedAt && s.state === 'running' ? formatAge(s.startedAt, now) : '–'),
          cell(s.name, 'restarts', String(s.restarts)),
          cell(s.name, 'reload', reloadText(s, now)),
        );
        row.dataset.state =
          s.state === 'running' && s.healthy
            ? 'up'
            : s.state === 'crashed' || s.state === 'stopped'
              ? 'down'
              : 'unknown';
        return row;
      }),
    );
  };

  return {
    render(next) {
      view = next;
      draw();
    },
    connected(connected) {
      online = connected;
      draw();
    },
    tick: draw,
  };
}
