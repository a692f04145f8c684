/**
 * Parses `launchctl print-disabled <domain>`: label -> disabled? for every entry of launchd's
 * override database. macOS 14+ prints `"label" => disabled` / `=> enabled`, older releases
 * `=> true` / `=> false` (docs/platform.md, "launchctl").
 */
export function parsePrintDisabled(text: string): Map<string, boolean> {
  const entries = new Map<string, boolean>();
  for (const line of text.split('\n')) {
    const match = /^\s*"(.+)" => (disabled|enabled|true|false)\s*$/.exec(line);
    if (match?.[1]) entries.set(match[1], match[2] === 'disabled' || match[2] === 'true');
  }
  return entries;
}
