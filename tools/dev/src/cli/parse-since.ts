export type ParseSinceResult =
  | { readonly ok: true; readonly time: number }
  | { readonly ok: false; readonly message: string };

const UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads `--since`: a duration back from `now` (`90s`, `5m`, `2h`, `1d`), a time of day today
 * (`10:42`, `10:42:05`; yesterday's when that is still to come), or a date and time
 * (`2026-12-03T10:42`, local unless it names its zone). Anything else is a message saying what works.
 */
export function parseSince(raw: string, now = Date.now()): ParseSinceResult {
  const text = raw.trim();
  const duration = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text);
  if (duration) return { ok: true, time: now - Number(duration[1]) * UNITS[duration[2]!]! };
  const clock = /^(\d{1,2}):(\d\d)(?::(\d\d))?$/.exec(text);
  if (clock) {
    const [hours, minutes, seconds] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    if (hours < 24 && minutes < 60 && seconds < 60) {
      const at = new Date(now);
      at.setHours(hours, minutes, seconds, 0);
      const time = at.getTime() > now ? at.getTime() - UNITS.d! : at.getTime();
      return { ok: true, time };
    }
  }
  if (/^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/.test(text)) {
    const time = Date.parse(text.replace(' ', 'T'));
    if (Number.isFinite(time)) return { ok: true, time };
  }
  return {
    ok: false,
    message: `--since needs a duration (90s, 5m, 2h, 1d), a time of day (10:42) or a date and time (2026-12-03T10:42), got "${raw}"`,
  };
}
