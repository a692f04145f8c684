/** The part of the controller's `/api/runtime` the dashboard shows. */
export interface RuntimeInfo {
  readonly pid: number;
  readonly revision: number;
  readonly buildId: string;
  readonly instance: string | null;
  readonly startedAt: string;
  readonly gateway: { readonly url: string; readonly state: string };
}

/** What the dashboard knows after one poll: the runtime, or that the controller did not answer. */
export type RuntimeSnapshot =
  | { readonly up: true; readonly runtime: RuntimeInfo }
  | { readonly up: false; readonly reason: string };

function field(name: string): HTMLElement | null {
  return document.querySelector(`[data-testid="${name}"]`);
}

function show(name: string, text: string, state?: string): void {
  const element = field(name);
  if (!element) return;
  element.textContent = text;
  if (state) element.dataset.state = state;
}

/** Writes one poll's result into the page (text only, never HTML). */
export function renderRuntime(snapshot: RuntimeSnapshot, now = new Date()): void {
  if (snapshot.up) {
    const { runtime } = snapshot;
    show('controller-state', 'up', 'up');
    show('controller-pid', String(runtime.pid));
    show('controller-revision', String(runtime.revision));
    show('controller-build', runtime.buildId);
    show('controller-instance', runtime.instance ?? '–');
    show('controller-started', runtime.startedAt);
    show('gateway-state', runtime.gateway.state, runtime.gateway.state);
    show('gateway-url', runtime.gateway.url);
  } else {
    show('controller-state', `down (${snapshot.reason})`, 'down');
    for (const name of [
      'controller-pid',
      'controller-revision',
      'controller-build',
      'controller-instance',
      'controller-started',
    ]) {
      show(name, '–');
    }
    show('gateway-state', 'unknown', 'unknown');
  }
  show('updated-at', now.toLocaleTimeString());
}
