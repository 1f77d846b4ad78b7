// The wire protocol spoken to the board's shell, as pure functions: the shell helpers set up
// once, the line that runs one command, and the parser of what comes back. Every marker is a
// whole line matched exactly, payloads travel as base64 with a POSIX cksum, so kernel messages
// printed in between are skipped or caught by the checksum, never mistaken for output.
import { cksumTag } from './cksum';

/** Shell functions and settings that make an interactive console machine-friendly. */
/** `tempPrefix`: a file name stem (no slash) for this session's temp files. */
export function setupScript(tempPrefix: string, syncToken: string): string {
  return [
    // Saved so that closing the session gives a human at the console their prompt back.
    '[ -n "${__eqps1+x}" ] || { __eqps1=$PS1; __eqps2=$PS2; }',
    // Readline off (no echo of edits, no bracketed-paste escapes); each step may not exist.
    "bind 'set enable-bracketed-paste off' 2>/dev/null",
    // `command` keeps an unknown option of a special built-in (dash has no -H) from
    // aborting the rest of this line.
    'command unsetopt zle 2>/dev/null',
    'command set +o emacs 2>/dev/null',
    'command set +o vi 2>/dev/null',
    'command set +H 2>/dev/null',
    'command set +o history 2>/dev/null',
    // A board's profile may alias rm/mv/cp to their -i forms: commands must mean what they say.
    'command shopt -u expand_aliases 2>/dev/null || command unalias -a 2>/dev/null',
    'stty -echo -onlcr 2>/dev/null',
    "PS1=''",
    "PS2=''",
    'unset PROMPT_COMMAND',
    'export HISTFILE=/dev/null TERM=dumb',
    'cd',
    // Temp files in $TMPDIR or /tmp, or in $HOME on boards with a read-only /tmp.
    `__eqt="\${TMPDIR:-/tmp}/${tempPrefix}"`,
    `[ -w "\${TMPDIR:-/tmp}" ] || __eqt="$HOME/${tempPrefix}"`,
    '__eqs() { cksum <"$1" | tr " " .; }',
    '__eq_emit() { echo "__EQ_$1_O"; base64 <"$__eqt.o"; echo "__EQ_$1_E"; base64 <"$__eqt.e"; echo "__EQ_$1_X_$2_$(__eqs "$__eqt.o")_$(__eqs "$__eqt.e")"; }',
    '__eq_put() { __eqk=$(__eqs "$__eqt.c"); if [ "$__eqk" = "$2" ] && cat "$__eqt.c" >>"$3"; then echo "__EQ_$1_K_ok_$__eqk"; else echo "__EQ_$1_K_bad_$__eqk"; fi; }',
    // Arithmetic makes the reply differ from the echoed command if echo is still on.
    `echo "${syncToken}_$((40+2))"`,
  ].join('; ');
}

/** Undoes setupScript() for the next human at the console (echo, prompts, line editing). */
export function restoreScript(): string {
  return `rm -f "$__eqt".*; stty echo onlcr 2>/dev/null; PS1=$__eqps1; PS2=$__eqps2; unset __eqps1 __eqps2; command shopt -s expand_aliases 2>/dev/null; command set -o emacs 2>/dev/null`;
}

export function syncReply(syncToken: string): string {
  return `${syncToken}_42`;
}

/** Single-quotes a word for any POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Quotes a board path; "~/x" stays home-relative. */
export function shellPath(path: string): string {
  if (path === '~') return '"$HOME"';
  if (path.startsWith('~/')) return `"$HOME"/${shellQuote(path.slice(2))}`;
  return shellQuote(path);
}

/**
 * Lines that write bytes into `target` on the board through a base64 here-document;
 * `gzipped` payloads are inflated on the board by `gzip -dc`.
 */
export function heredocLines(payload: Uint8Array, target: string, gzipped = false, lineWidth = 76): string {
  const b64 = Buffer.from(payload).toString('base64');
  const sink = gzipped ? `| gzip -dc >${target} 2>/dev/null` : `>${target}`;
  const lines: string[] = [`base64 -d 2>/dev/null <<'__EQ_EOF' ${sink}`];
  for (let i = 0; i < b64.length; i += lineWidth) lines.push(b64.slice(i, i + lineWidth));
  lines.push('__EQ_EOF');
  return lines.join('\n') + '\n';
}

export interface Frame {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
  /** False when a payload does not match its checksum (re-emit and parse again). */
  intact: boolean;
  /** Characters of the received text up to and including the end marker. */
  consumed: number;
}

const BASE64_LINE = /^[A-Za-z0-9+/]+={0,2}$/;

function lineList(text: string): { line: string; end: number }[] {
  const out: { line: string; end: number }[] = [];
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    out.push({ line: text.slice(start, nl).replace(/\r+$/, ''), end: nl + 1 });
    start = nl + 1;
  }
  return out;
}

/** Finds the frame of command `id` in the received text; undefined until its end marker came. */
export function parseFrame(text: string, id: string): Frame | undefined {
  // Cheap native scan first: this runs on every piece of data while output streams in.
  if (!text.includes(`__EQ_${id}_X_`)) return undefined;
  const lines = lineList(text);
  const endPattern = new RegExp(`^__EQ_${id}_X_(\\d+)_(\\d+\\.\\d+)_(\\d+\\.\\d+)$`);
  let endIndex = -1;
  let match: RegExpMatchArray | null = null;
  for (let i = lines.length - 1; i >= 0 && match === null; i--) {
    match = lines[i]!.line.match(endPattern);
    if (match) endIndex = i;
  }
  if (match === null) return undefined;
  const consumed = lines[endIndex]!.end;
  // The last O/E markers before the end marker: an earlier, damaged emission may precede them.
  let o = -1;
  let e = -1;
  for (let i = endIndex - 1; i >= 0; i--) {
    if (e === -1 && lines[i]!.line === `__EQ_${id}_E`) e = i;
    else if (e !== -1 && lines[i]!.line === `__EQ_${id}_O`) {
      o = i;
      break;
    }
  }
  const code = Number(match[1]);
  if (o === -1 || e === -1) return { code, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), intact: false, consumed };
  const decode = (from: number, to: number) =>
    Buffer.from(
      lines
        .slice(from, to)
        .map((l) => l.line)
        .filter((l) => BASE64_LINE.test(l))
        .join(''),
      'base64',
    );
  const stdout = decode(o + 1, e);
  const stderr = decode(e + 1, endIndex);
  const intact = cksumTag(stdout) === match[2] && cksumTag(stderr) === match[3];
  return { code, stdout, stderr, intact, consumed };
}

/** The board's answer to one transferred chunk: whether it appended it, and its checksum. */
export function parseChunkReply(text: string, id: string): { ok: boolean; tag: string; consumed: number } | undefined {
  if (!text.includes(`__EQ_${id}_K_`)) return undefined;
  for (const { line, end } of lineList(text)) {
    const m = line.match(new RegExp(`^__EQ_${id}_K_(ok|bad)_(\\d+\\.\\d+)$`));
    if (m) return { ok: m[1] === 'ok', tag: m[2]!, consumed: end };
  }
  return undefined;
}

/** Finds a whole line equal to `wanted`; returns the characters to consume through it. */
export function findLine(text: string, wanted: string): number | undefined {
  for (const { line, end } of lineList(text)) if (line === wanted) return end;
  return undefined;
}
