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
/** The cell of each column (its `data-testid` is `dev-<service>-<field>`). */
const FIELDS = ['name', 'state', 'pid', 'port', 'uptime', 'restarts', 'reload'] as const;

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

type Field = (typeof FIELDS)[number];

/** One service's row and its cells. */
interface Row {
  readonly row: HTMLTableRowElement;
  readonly cells: Readonly<Record<Field, HTMLTableCellElement>>;
}

function createRow(name: string): Row {
  const cells = Object.fromEntries(
    FIELDS.map((field) => [field, element('td', { 'data-testid': `dev-${name}-${field}` })]),
  ) as Record<Field, HTMLTableCellElement>;
  return { row: element('tr', { 'data-testid': `dev-row-${name}` }, ...Object.values(cells)), cells };
}

function updateRow({ row, cells }: Row, service: DevServiceStatus, now: number): void {
  const texts: Record<Field, string> = {
    name: service.name,
    state: stateText(service),
    pid: service.pid === null ? '–' : String(service.pid),
    port: String(service.port),
    uptime: service.startedAt && service.state === 'running' ? formatAge(service.startedAt, now) : '–',
    restarts: String(service.restarts),
    reload: reloadText(service, now),
  };
  for (const field of FIELDS)
    if (cells[field].textContent !== texts[field]) cells[field].textContent = texts[field];
  const down = service.state === 'crashed' || service.state === 'stopped';
  row.dataset.state = service.state === 'running' && service.healthy ? 'up' : down ? 'down' : 'unknown';
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
  // Rows are kept and only texts that changed are replaced: a text selected in the panel survives
  // the once-a-second tick.
  let rows = new Map<string, Row>();

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
    const names = view.services.map((s) => s.name);
    if (names.join('\n') !== [...rows.keys()].join('\n')) {
      rows = new Map(names.map((name) => [name, createRow(name)]));
      body.replaceChildren(...[...rows.values()].map((r) => r.row));
    }
    for (const service of view.services) {
      const row = rows.get(service.name);
      if (row) updateRow(row, service, now);
    }
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
