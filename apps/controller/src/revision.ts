/** Bumped by hand (and by the hot-reload tests) to see a rebuilt controller serve new code. */
export const REVISION = 1;
