// Reaching a shell on a console in an unknown state: a login prompt, a password prompt, a
// shell prompt, a half-typed line, or nothing readable at all (wrong baud, busy board).
import { randomBytes } from 'node:crypto';
import { CancelledError } from '../../errors';
import { SerialDeviceError } from './errors';
import { findLine, setupScript, syncReply } from './framing';
import type { PortLink } from './port-link';

export interface LoginOptions {
  user?: string;
  password?: () => Promise<string>;
  /** Overall limit to reach a usable shell. */
  timeoutMs: number;
  signal?: AbortSignal;
  onLog?: (line: string) => void;
  baudRate: number;
  tempPrefix: string;
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]/g;
const LOGIN_PROMPT = /(?:^|\n)[^\n]*(?:login|username|user name)\s*:\s*$/i;
const PASSWORD_PROMPT = /password\s*:\s*$/i;
const LOGIN_REFUSED = /login incorrect|authentication fail|permission denied|access denied/i;

/** The tail of what the console printed, printable and without terminal escapes. */
function visibleTail(received: string): string {
  return received.replace(ANSI, '').replace(/\r/g, '').slice(-300);
}

/** Share of bytes that are neither printable ASCII nor common whitespace. */
export function unreadableShare(text: string): number {
  if (text.length === 0) return 0;
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x1b)) bad++;
  }
  return bad / text.length;
}

/** Logs in if asked and leaves the shell in the machine-friendly state of setupScript(). */
export async function reachShell(link: PortLink, options: LoginOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const left = () => Math.max(0, deadline - Date.now());
  const log = options.onLog ?? (() => {});
  let seen = '';
  // What we typed last decides what a prompt means: a password prompt right after our user
  // name is ours; any other is a stray login attempt that must fail first.
  let lastSent: 'nudge' | 'user' | 'password' | 'setup' = 'nudge';
  let quietRounds = 0;
  let loginPending = false;
  const stillThere = () => {
    if (link.lost) throw link.lostError();
    if (options.signal?.aborted) throw new CancelledError('Cancelled while connecting to the board.');
  };
  const refused = () => new SerialDeviceError(`The board refused the login on ${link.label}: check the user name and password.`);

  // Ctrl-U clears a half-typed line (readline and the tty's own line editing); CR submits.
  await link.write('\x15\r');
  for (let attempt = 0; left() > 0; attempt++) {
    stillThere();
    // Let the console answer, then look at its last line.
    await link.pause(Math.min(attempt === 0 ? 600 : 900, left()));
    stillThere();
    seen += link.received;
    const tail = visibleTail(link.received);
    link.consume();
    if (tail.trim() === '') {
      // login(1) pauses seconds after a failed attempt, and a getty may be restarting: do not
      // type into that silence. A shell answers the first nudge with its prompt.
      if ((attempt === 0 || lastSent === 'user' || lastSent === 'password' || loginPending) && quietRounds++ < 5) continue;
    } else {
      quietRounds = 0;
    }
    if (LOGIN_REFUSED.test(tail)) {
      if (lastSent === 'password') throw refused();
      // Some other attempt failed (a stray line read as a user name): its prompt follows.
      loginPending = true;
    }
    if (PASSWORD_PROMPT.test(tail)) {
      if (lastSent !== 'user') {
        // A password prompt for a user name we did not type: let that attempt fail.
        await link.write('\r');
        lastSent = 'nudge';
        loginPending = true;
        continue;
      }
      if (!options.password) throw new SerialDeviceError(`The board on ${link.label} asks for a password and none can be asked here.`);
      log('password prompt: sending the password');
      const password = await options.password();
      await link.write(password + '\r');
      lastSent = 'password';
      continue;
    }
    if (LOGIN_PROMPT.test(tail)) {
      if (!options.user) {
        throw new SerialDeviceError(`The board on ${link.label} shows a login prompt: store the user name with the device (user field) and retry.`);
      }
      if (lastSent === 'password') throw refused();
      log(`login prompt: sending user ${options.user}`);
      await link.write(options.user + '\r');
      lastSent = 'user';
      loginPending = false;
      continue;
    }
    if (loginPending && quietRounds < 5) continue;
    // Anything else may be a shell: try to set it up and wait for the exact sync reply.
    const token = `__EQ_SYNC_${randomBytes(4).toString('hex')}`;
    await link.write(setupScript(options.tempPrefix, token) + '\r');
    lastSent = 'setup';
    try {
      const end = await link.waitFor(
        (text) => findLine(text, syncReply(token)),
        Math.min(2500, left()),
        () => new Error('no sync'),
        options.signal,
      );
      link.consume(end);
      log('shell ready');
      return;
    } catch (error) {
      if (link.lost) throw link.lostError();
      if (options.signal?.aborted) throw error;
      seen += link.received;
      // A login prompt can appear only now (the nudge woke a getty): handle it next round.
      const now = visibleTail(link.received);
      if (!LOGIN_PROMPT.test(now) && !PASSWORD_PROMPT.test(now) && !LOGIN_REFUSED.test(now)) {
        // An earlier session killed mid-transfer leaves the shell inside our here-document:
        // its terminator ends that (elsewhere it is a harmless unknown command). No Ctrl-C
        // here: it would kill whatever the user runs on the console.
        await link.write('\x15\r__EQ_EOF\r');
      }
    }
  }
  throw noShellError(link, seen, options);
}

function noShellError(link: PortLink, seen: string, options: LoginOptions): SerialDeviceError {
  const seconds = Math.round(options.timeoutMs / 100) / 10;
  const where = `${link.label} at ${options.baudRate} baud`;
  // Our own keystrokes echoed back by a tty ("^U", line ends) are not an answer.
  const meaningful = seen.replace(ANSI, '').replace(/\^U|[\x00-\x20]/g, '');
  if (meaningful.length === 0) {
    return new SerialDeviceError(`No answer from ${where} within ${seconds} s: check the cable (TX/RX crossed, GND), that the board is powered and that its console is on this port.`);
  }
  const share = unreadableShare(seen);
  if (share > 0.15) {
    return new SerialDeviceError(
      `Unreadable data from ${where} (${seen.length} bytes, ${Math.round(share * 100)}% not text) and no shell prompt within ${seconds} s: the baud rate is probably wrong (common: 115200, 1500000, 921600, 57600, 9600).`,
    );
  }
  const last = visibleTail(seen).trim().split('\n').pop()?.slice(0, 60) ?? '';
  return new SerialDeviceError(
    `No shell prompt from ${where} within ${seconds} s: the board is busy or its console runs a program (last line: '${last.replace(/[^\x20-\x7e]/g, '?')}').`,
  );
}
