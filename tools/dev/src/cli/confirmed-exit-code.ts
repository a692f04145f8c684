/**
 * The exit code of a command the user is asked to confirm (`reset-state`, `stop --all`): 0 when it
 * was done, 0 too when the user answered no (a choice, not a failure: our line stays the last one
 * printed, on stdout), else 1 with the message on stderr.
 */
export function confirmedExitCode(
  result: { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly message: string },
): number {
  if (result.ok) return 0;
  if (result.reason === 'declined') {
    console.log(result.message);
    return 0;
  }
  console.error(result.message);
  return 1;
}
