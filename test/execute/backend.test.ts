import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initTfjs, tfjsBackendInfo } from '../../src-main/runtime/tfjs-backend';

test('initTfjs is idempotent and picks tfjs-node, else wasm (SIMD), else cpu', async () => {
  const [a, b] = await Promise.all([initTfjs(), initTfjs()]);
  assert.equal(a, b);
  const info = tfjsBackendInfo()!;
  assert.equal(info.backend, a.getBackend());
  let nodeInstalled = true;
  try {
    await import('@tensorflow/tfjs-node' as string);
  } catch {
    nodeInstalled = false;
  }
  if (nodeInstalled) assert.equal(info.backend, 'tensorflow');
  else {
    assert.ok(info.notes.some((n) => /tfjs-node not installed/.test(n)));
    assert.equal(info.backend, 'wasm', `wasm expected here: ${info.notes.join('; ')}`);
    assert.equal(info.simd, true);
  }
});
