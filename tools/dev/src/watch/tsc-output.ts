const LOCATED = /^(.+)\((\d+),(\d+)\): (error TS\d+: .*)$/;

/**
 * The errors of one `tsc --pretty false` run, each as `file:line:col: error TSxxxx: message`
 * (the form editors and terminals turn into links), with its indented detail lines kept.
 */
export function parseTscOutput(text: string): string[] {
  const errors: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const located = LOCATED.exec(line);
    if (located) errors.push(`${located[1]}:${located[2]}:${located[3]}: ${located[4]}`);
    else if (line.startsWith('error TS')) errors.push(line);
    else if (/^\s+\S/.test(line) && errors.length > 0) errors[errors.length - 1] += `\n${line}`;
  }
  return errors;
}
