import type { DevBuildError, DevServiceStatus, DevStatusView } from '@nexu/service-kit/dev-status';
import { element } from './element.js';

/** `file:line:col: message`, as the terminal prints it. */
export function formatBuildError(error: DevBuildError): string {
  const where = [error.file, error.line, error.column].filter((part) => part !== null).join(':');
  return where === '' ? error.text : `${where}: ${error.text}`;
}

function buildFailures(service: DevServiceStatus): HTMLElement[] {
  return service.buildFailures.map((failure) =>
    element(
      'section',
      { class: 'nexu-dev-problem', 'data-testid': `dev-problem-${failure.what.replace(/\s+/g, '-')}` },
      element('h2', {}, `${failure.what} build failed`),
      element('pre', { class: 'nexu-dev-errors' }, failure.errors.map(formatBuildError).join('\n')),
      element(
        'p',
        { class: 'nexu-dev-note' },
        `The previous build of ${service.name} is still serving; the next good save removes this.`,
      ),
    ),
  );
}

function crash(service: DevServiceStatus): HTMLElement[] {
  const down = service.crash;
  if (!down || (service.state !== 'crashed' && service.state !== 'stopped')) return [];
  return [
    element(
      'section',
      { class: 'nexu-dev-problem', 'data-testid': `dev-problem-${service.name}-${service.state}` },
      element('h2', {}, `${service.name} ${service.state}`),
      element('p', { class: 'nexu-dev-reason' }, down.reason),
      down.message && element('p', { class: 'nexu-dev-message' }, down.message),
      down.location && element('p', { class: 'nexu-dev-location' }, `at ${down.location}`),
      down.lines.length > 0 && element('pre', { class: 'nexu-dev-errors' }, down.lines.join('\n')),
      element(
        'p',
        { class: 'nexu-dev-note' },
        `Save a fix: the watch session rebuilds ${service.name} and starts it again.`,
      ),
    ),
  ];
}

/** The overlay of what is broken: failed builds (the old build still serves) and crashed services. */
export interface ProblemOverlay {
  render(view: DevStatusView): void;
}

/**
 * Creates the overlay, docked at the bottom of the page so the page above stays usable. It shows
 * while a watch session reports a problem; "hide" tucks it away until the problems change.
 */
export function createProblemOverlay(parent: HTMLElement): ProblemOverlay {
  const list = element('div', { class: 'nexu-dev-problems' });
  const hide = element('button', { type: 'button', class: 'nexu-dev-hide' }, 'hide');
  const root = element(
    'aside',
    {
      id: 'nexu-dev-overlay',
      role: 'alert',
      'aria-live': 'polite',
      'data-testid': 'dev-overlay',
      hidden: '',
    },
    hide,
    list,
  );
  parent.append(root);
  let shown = '';
  let hiddenFor: string | undefined;
  hide.addEventListener('click', () => {
    hiddenFor = shown;
    root.hidden = true;
    parent.style.paddingBottom = '';
  });

  return {
    render(view) {
      const problems = view.watching ? view.services.flatMap((s) => [...buildFailures(s), ...crash(s)]) : [];
      const key = problems.map((p) => p.textContent).join('\n');
      if (key !== shown) {
        list.replaceChildren(...problems);
        shown = key;
      }
      root.hidden = problems.length === 0 || hiddenFor === key;
      // Room below the page for the docked overlay, so every part of the page can be scrolled above it.
      parent.style.paddingBottom = root.hidden ? '' : `${root.offsetHeight}px`;
    },
  };
}
