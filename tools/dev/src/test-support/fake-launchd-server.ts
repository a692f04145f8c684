// The resident server of the fake launchctl (why resident: fake-launchctl.ts). One per state
// folder and built program (checkouts on one machine share the default folder, each answers with
// its own build), started detached by the first call of the client (fake-launchctl.sh) that finds
// none answering:
//
//   node fake-launchd-server.mjs <stateDir>/fake-launchd-server<its path, '/' as '_'>.port
//
// Listens on 127.0.0.1 (an ephemeral port, recorded in that port file) and runs every call it
// receives with `fakeLaunchctl`, several at once. The wire format is NUL-terminated fields, which
// bash writes and reads with builtins alone:
//   call:   `call` portFile cwd uid argc arg... NAME=value... ``   (an empty field ends the environment)
//   answer: exitCode stdout stderr
//   probe:  `ping` portFile  ->  `mine` | `other`
// A call naming another port file is answered `other`: a port file left by a server killed
// outright names a port some other server took since, and the client then starts one of its own.
// Leaves nothing behind: it exits once its folder is gone, once a newer server took over its port
// file, or after IDLE_MS with no connection open; a call in flight is answered first. All the
// fake's state is in the folder, so two servers of one folder at once (a race when both start)
// answer alike; the one whose port the file does not name exits.
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fakeLaunchctl } from './fake-launchctl.js';

/** How long the server waits for another call before it exits. */
const IDLE_MS = 2500;

const portArg = process.argv[2];
if (!portArg?.endsWith('.port')) {
  console.error('usage: fake-launchd-server.mjs <stateDir>/<name>.port');
  process.exit(64);
}
const portFile = resolve(portArg);
const stateDir = dirname(portFile);
mkdirSync(stateDir, { recursive: true });
// Holds no folder of the caller's (a test's temp folder) open.
process.chdir('/');

type Message =
  | { readonly kind: 'ping'; readonly portFile: string }
  | {
      readonly kind: 'call';
      readonly portFile: string;
      readonly cwd: string;
      readonly uid: number;
      readonly args: string[];
      readonly env: Record<string, string>;
    };

/** The message `data` holds once complete, null while more is to come, 'bad' for anything else. */
function parseMessage(data: Buffer): Message | null | 'bad' {
  // Every complete field ends with a NUL: the last piece is a field still arriving.
  const fields = data.toString('utf8').split('\0').slice(0, -1);
  if (fields.length === 0) return null;
  if (fields[0] === 'ping') return fields.length < 2 ? null : { kind: 'ping', portFile: fields[1] as string };
  if (fields[0] !== 'call') return 'bad';
  if (fields.length < 5) return null;
  const [, file = '', cwd = '', uid = '', argc = ''] = fields;
  if (!/^\d+$/.test(uid) || !/^\d+$/.test(argc)) return 'bad';
  const envFrom = 5 + Number(argc);
  const envEnd = fields.indexOf('', envFrom);
  if (envEnd === -1) return null;
  const env: Record<string, string> = {};
  for (const entry of fields.slice(envFrom, envEnd)) {
    const at = entry.indexOf('=');
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return { kind: 'call', portFile: file, cwd, uid: Number(uid), args: fields.slice(5, envFrom), env };
}

const isMine = (file: string, cwd = '/') => resolve(cwd, file) === portFile;

async function answer(socket: Socket, message: Message): Promise<void> {
  if (message.kind === 'ping') {
    socket.end(`${isMine(message.portFile) ? 'mine' : 'other'}\0`);
    return;
  }
  if (!isMine(message.portFile, message.cwd)) {
    socket.end('other\0\0\0');
    return;
  }
  const { stdout, stderr, exitCode } = await fakeLaunchctl(message);
  socket.end(`${exitCode}\0${stdout}\0${stderr}\0`);
}

let open = 0;
let lastActive = Date.now();
let closing = false;
let port = 0;

const server = createServer((socket) => {
  open += 1;
  lastActive = Date.now();
  let received = Buffer.alloc(0);
  let handled = false;
  socket.on('data', (chunk) => {
    if (handled) return;
    received = Buffer.concat([received, chunk]);
    const message = parseMessage(received);
    if (message === null) return;
    handled = true;
    if (message === 'bad') socket.destroy();
    else void answer(socket, message);
  });
  socket.on('error', () => {}); // the client went away: nothing to answer
  // A client that sends nothing for a minute is gone (a call's answer takes at most ~5 s).
  socket.setTimeout(60_000, () => socket.destroy());
  socket.on('close', () => {
    open -= 1;
    lastActive = Date.now();
    if (closing && open === 0) process.exit(0);
  });
});

const readPort = (): string | null => {
  try {
    return readFileSync(portFile, 'utf8').trim();
  } catch {
    return null;
  }
};

/** Whether a server of this port file answers on `holder` (the port it records). */
function answersMine(holder: string): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(Number(holder), '127.0.0.1');
    let reply = '';
    const finish = (mine: boolean) => {
      socket.destroy();
      done(mine);
    };
    socket.setTimeout(2000, () => finish(false));
    socket.on('connect', () => socket.write(`ping\0${portFile}\0`));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\0')) finish(reply === 'mine\0');
    });
    socket.on('error', () => finish(false));
    socket.on('end', () => finish(reply === 'mine\0'));
  });
}

/** Records this server's port for the clients, unless a live server of the folder has it already. */
async function claimPortFile(): Promise<void> {
  const temp = `${portFile}.${process.pid}`;
  writeFileSync(temp, `${port}\n`);
  try {
    linkSync(temp, portFile);
    rmSync(temp, { force: true });
    return;
  } catch {
    // taken: by a live server, or left by one killed outright
  }
  const holder = readPort();
  if (holder !== null && (await answersMine(holder))) {
    rmSync(temp, { force: true });
    process.exit(0);
  }
  renameSync(temp, portFile);
}

function shutDown(): void {
  if (closing) return;
  closing = true;
  if (readPort() === String(port)) rmSync(portFile, { force: true });
  server.close();
  if (open === 0) process.exit(0);
}

server.listen(0, '127.0.0.1', async () => {
  port = (server.address() as AddressInfo).port;
  await claimPortFile();
  lastActive = Date.now();
  setInterval(() => {
    if (!existsSync(stateDir) || readPort() !== String(port)) shutDown();
    else if (open === 0 && Date.now() - lastActive >= IDLE_MS) shutDown();
  }, 200);
});
