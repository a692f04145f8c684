import type { DevStatusView } from '@nexu/service-kit/dev-status';
import { element } from './element.js';

/** How long "reloaded in N ms" stays. */
const SHOWN_MS = 4_000;

/** The small marker of reloads in progress and just finished. */
export interface ReloadMarker {
  render(view: DevStatusView): void;
}

/**
 * Creates the marker in a corner of the page: "controller reloading…" while a save rebuilds and
 * restarts a service, then "controller reloaded in 289 ms" for a few seconds. A reload that happened
 * before the page loaded is shown only if it is a few seconds old at most (the page itself may be
 * what it reloaded).
 */
export function createReloadMarker(parent: HTMLElement, now = () => Date.now()): ReloadMarker {
  const root = element('div', { class: 'nexu-dev-marker', 'data-testid': 'dev-reload-marker', hidden: '' });
  parent.append(root);
  const seen = new Map<string, string>();
  let done: { text: string; until: number } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last: DevStatusView | undefined;

  const show = (view: DevStatusView) => {
    const busy = view.watching
      ? view.services.flatMap((s) =>
          s.activity ? [`${s.name} ${s.activity === 'building' ? 'building' : 'reloading'}…`] : [],
        )
      : [];
    const recent = done && done.until > now() ? done.text : undefined;
    const text = busy.length > 0 ? busy.join(', ') : recent;
    root.textContent = text ?? '';
    root.dataset.state = busy.length > 0 ? 'busy' : 'done';
    root.hidden = text === undefined;
  };

  return {
    render(view) {
      last = view;
      for (const service of view.watching ? view.services : []) {
        const reload = service.lastReload;
        if (!reload || seen.get(service.name) === reload.at) continue;
        seen.set(service.name, reload.at);
        if (now() - Date.parse(reload.at) > SHOWN_MS) continue;
        done = {
          text: reload.ok
            ? `${reload.what} reloaded in ${reload.durationMs} ms`
            : `${reload.what} reload failed`,
          until: now() + SHOWN_MS,
        };
        clearTimeout(timer);
        timer = setTimeout(() => last && show(last), SHOWN_MS);
      }
      show(view);
    },
  };
}
