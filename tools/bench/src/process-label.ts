/** Short name of a process: the script node runs (`tsc`, `main.js`, `cli.mjs`), else its binary or title. */
export function processLabel(commandLine: string): string {
  const args = commandLine.split(' ').filter(Boolean);
  const base = (path: string) => path.split('/').at(-1) ?? path;
  const first = args[0] ?? '?';
  // PM2 retitles its apps `node <script>` (no path) and its daemon `PM2 vX: God Daemon (...)`.
  if (!/^node(js)?$/.test(base(first)))
    return first.startsWith('/') ? base(first) : args.slice(0, 2).join(' ');
  for (let i = 1; i < args.length; i++) {
    const arg = args[i] as string;
    if (['--require', '-r', '--import', '--loader'].includes(arg)) i++;
    else if (!arg.startsWith('-')) return base(arg);
  }
  return 'node';
}
