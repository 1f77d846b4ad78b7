// The frame parser on console text as it arrives: whole kernel lines in between are skipped,
// a line cut by one is caught by the checksum, markers only count as whole lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cksumTag } from '../../../src-main/devices/serial/cksum';
import { parseChunkReply, parseFrame, shellPath, shellQuote } from '../../../src-main/devices/serial/framing';

function b64Lines(data: Buffer): string[] {
  const text = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 76) lines.push(text.slice(i, i + 76));
  return lines;
}

function emission(id: string, out: Buffer, err: Buffer, code = 0): string[] {
  return [`__EQ_${id}_O`, ...b64Lines(out), `__EQ_${id}_E`, ...b64Lines(err), `__EQ_${id}_X_${code}_${cksumTag(out)}_${cksumTag(err)}`];
}

test('a frame with kernel lines between its lines is intact; the echo of the command is ignored', () => {
  const out = randomBytes(2000);
  const lines = emission('ab1', out, Buffer.from('warn\n'), 3);
  lines.splice(5, 0, '[  812.334201] usb 1-1.2: new high-speed USB device number 5 using dwc2');
  lines.splice(1, 0, '[  812.5] random: crng init done');
  const text = `( cat x ) </dev/null >"$__eqt.o" 2>"$__eqt.e"; __eq_emit ab1 $?\r\n` + lines.join('\r\n') + '\r\nrest';
  const frame = parseFrame(text, 'ab1')!;
  assert.equal(frame.intact, true);
  assert.equal(frame.code, 3);
  assert.deepEqual(frame.stdout, out);
  assert.equal(frame.stderr.toString(), 'warn\n');
  assert.equal(text.slice(frame.consumed), 'rest');
});

test('a kernel message that cuts a payload line makes the frame not intact (asked again)', () => {
  const out = randomBytes(2000);
  const lines = emission('c2', out, Buffer.alloc(0));
  const cut = lines[4]!;
  lines[4] = cut.slice(0, 30) + '[  9.1] mmc0: new card';
  lines.splice(5, 0, cut.slice(30));
  const frame = parseFrame(lines.join('\n') + '\n', 'c2')!;
  assert.equal(frame.intact, false);
  // A clean second emission after the damaged one wins.
  const again = parseFrame(lines.join('\n') + '\n' + emission('c2', out, Buffer.alloc(0)).join('\n') + '\n', 'c2')!;
  assert.equal(again.intact, true);
  assert.deepEqual(again.stdout, out);
});

test('markers count only as whole lines, and only for their own id', () => {
  const lines = emission('d3', Buffer.from('x'), Buffer.alloc(0));
  assert.equal(parseFrame(lines.join('\n'), 'd3'), undefined, 'end marker without its newline yet');
  assert.equal(parseFrame(lines.join('\n') + '\n', 'd31'), undefined);
  assert.equal(parseFrame(`echo __EQ_d3_X_0_1.1_2.2 junk\n`, 'd3'), undefined);
  assert.deepEqual(parseChunkReply('noise\n__EQ_e4_K_ok_123.45\n', 'e4'), { ok: true, tag: '123.45', consumed: 26 });
  assert.equal(parseChunkReply('x __EQ_e4_K_ok_123.45\n', 'e4'), undefined);
});

test('shell quoting keeps paths literal; ~/ stays home-relative', () => {
  assert.equal(shellQuote(`it's $HOME`), `'it'\\''s $HOME'`);
  assert.equal(shellPath('~/.edgequant/a b'), `"$HOME"/'.edgequant/a b'`);
  assert.equal(shellPath('/tmp/x'), `'/tmp/x'`);
});
