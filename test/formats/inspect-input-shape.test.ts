// `inspect --input-shape` opens models whose inputs are fully dynamic (ESRGAN-slim).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src-main/cli/main';

const esrgan = join(process.cwd(), '..', 'shared', 'fixtures', 'tfjs', 'esrgan_slim_x4', 'model.json');

async function inspect(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['inspect', ...args], { stdout: (s) => out.push(s), stderr: (s) => err.push(s), cwd: process.cwd(), env: {} });
  return { code, out: out.join(''), err: err.join('') };
}

test('inspect asks for --input-shape on a dynamic model, and shows the pinned model with it', async (t) => {
  if (!existsSync(esrgan)) return t.skip('../shared/fixtures absent');
  const refused = await inspect([esrgan]);
  assert.equal(refused.code, 2);
  assert.match(refused.err, /dynamic dims \[\?, \?, \?, 3\]; pin them with --input-shape/);
  const pinned = await inspect([esrgan, '--input-shape', '1,64,64,3', '--json']);
  assert.equal(pinned.code, 0, pinned.err);
  const report = JSON.parse(pinned.out) as { inputs: { shape: number[] }[]; outputs: { shape: number[] }[] };
  assert.deepEqual(report.inputs[0]!.shape, [1, 64, 64, 3]);
  assert.deepEqual(report.outputs[0]!.shape, [1, 256, 256, 3], 'x4 super-resolution');
  const bad = await inspect([esrgan, '--input-shape', '1,0,64,3']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--input-shape must be positive integers/);
});
