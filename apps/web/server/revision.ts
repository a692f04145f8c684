/** Bumped by hand to see a rebuilt web server serve new code. */
export const REVISION = 1;
