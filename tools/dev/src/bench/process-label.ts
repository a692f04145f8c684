/** Short name of a process: the script node runs (`tsc`, `main.js`, `cli.mjs`), else its binary or title. */
export function processLabel(commandLine: string): string {
  const args = commandLine.split(' ').filter(Boolean);
  const base = (path: string) => path.split('/').at(-1) ?? path;
  if (!args[0]?.startsWith('/')) return args.slice(0, 2).join(' ') || '?';
  if (!/^node(js)?$/.test(base(args[0]))) return base(args[0]);
  for (let i = 1; i < args.length; i++) {
    const arg = args[i] as string;
    if (['--require', '-r', '--import', '--loader'].includes(arg)) i++;
    else if (!arg.startsWith('-')) return base(arg);
  }
  return 'node';
}
