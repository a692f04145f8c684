/**
 * How to poll for an event of a local process that takes tens to hundreds of ms (a keeper writing
 * its state, a process ending, a port coming free): a check costs a file read or a bind, so polling
 * every few ms costs nothing, while the default back-off (to 250 ms) would add up to a quarter of a
 * second to every start, restart and stop.
 */
export const LOCAL_EVENT_POLL = { intervalMs: 5, maxIntervalMs: 25 } as const;
