/** Heading of the dashboard (the browser test edits it to see a rebuilt page load itself). */
export const TITLE = 'nexu dev dashboard';
