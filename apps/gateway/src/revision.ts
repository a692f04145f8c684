/** Bumped by hand (and by the hot-reload tests) to see a rebuilt gateway serve new code. */
export const REVISION = 1;
