// How a fuzz case ended, by the rules of the issue: success, or a typed error with a one-line
// message of at most ~300 characters that names the file, is clean; anything else is untyped
// (a raw JavaScript message, an engine message wrapped in a typed one, an "internal error"
// from the importer boundary, a message that does not say which file, or one that is too long).
import { basename } from 'node:path';
import type { CaseReply } from './importer-case';

/** Longest acceptable message, counted with the case folder's path shortened to its name. */
export const MAX_MESSAGE_CHARS = 300;

// Messages of the JavaScript engine and of libraries, which tell a user nothing about the file.
const RAW = [
  /Cannot read propert/i, /is not a function/, /is not iterable/, /Invalid typed array length/, /Invalid array length/,
  /Maximum call stack/, /out of memory/i, /Array buffer allocation failed/, /undefined is not/, /Cannot convert/,
  /invalid wire type/, /index out of range: \d+ \+ \d+ > \d+/, /Offset is outside the bounds/, /RangeError|TypeError|SyntaxError:/,
  /is not defined/, /Unexpected token/, /please report/,
];

export interface Verdict {
  clean: boolean;
  /** Why it is not clean, or 'ok' / 'typed'. */
  reason: string;
}

export function verdict(reply: CaseReply, caseDir: string, fileNames: string[]): Verdict {
  if (reply.ok) return { clean: true, reason: 'ok' };
  const message = (reply.message ?? '').replace(/\s*\n\s*/g, ' ').trim();
  const short = message.split(caseDir).join(basename(caseDir));
  if (!reply.typed || reply.code === 'INTERNAL') return { clean: false, reason: `untyped ${reply.name}` };
  if (RAW.some((r) => r.test(message))) return { clean: false, reason: 'raw message inside a typed error' };
  if (short.length > MAX_MESSAGE_CHARS) return { clean: false, reason: `message of ${short.length} chars` };
  const names = [basename(caseDir), ...fileNames.map((f) => basename(f))];
  if (!names.some((n) => message.includes(n))) return { clean: false, reason: 'message names no file' };
  return { clean: true, reason: 'typed' };
}
