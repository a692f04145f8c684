import type { DevStatusView } from '@nexu/service-kit/dev-status';

/** States in which the watch session says the controller is down and no save is bringing it back. */
const DOWN = new Set(['stopped', 'crashed', 'not-installed']);

/**
 * Whether a refused connection to the controller is worth holding: a watch session runs, and it
 * does not say the controller is down with nothing under way (a save being built or reloaded
 * brings it back). The status file may lag a restart by a few ms, so "running" counts as coming back.
 */
export function controllerMayComeBack(view: DevStatusView): boolean {
  if (!view.watching) return false;
  const controller = view.services.find((s) => s.name === 'controller');
  if (!controller) return false;
  return controller.activity !== null || !DOWN.has(controller.state);
}

/** Whether the watch session says a save is being built into or reloaded on the controller now. */
export function controllerReloading(view: DevStatusView): boolean {
  if (!view.watching) return false;
  return view.services.find((s) => s.name === 'controller')?.activity != null;
}
