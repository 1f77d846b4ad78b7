import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeBackend, initTfjs, tfjsBackendInfo } from '../../src-main/graph/tfjs-backend';

test('initTfjs is idempotent and picks tfjs-node where it loads, else wasm (SIMD) with the reason', async () => {
  const [a, b] = await Promise.all([initTfjs(), initTfjs()]);
  assert.equal(a, b);
  const info = tfjsBackendInfo()!;
  assert.equal(info.backend, a.getBackend());
  assert.deepEqual(computeBackend(), { backend: info.backend, notes: info.notes });
  let nativeLoads = true;
  try {
    const tfn = (await import('@tensorflow/tfjs-node' as string)) as { getBackend(): string };
    nativeLoads = typeof tfn.getBackend === 'function';
  } catch {
    nativeLoads = false;
  }
  if (nativeLoads) assert.equal(info.backend, 'tensorflow');
  else {
    // Not installed, or installed offline without its native library: the note says which.
    assert.ok(info.notes.some((n) => /tfjs-node( not installed|: native library not downloaded| failed to load)/.test(n)), info.notes.join('; '));
    assert.equal(info.backend, 'wasm', `wasm expected here: ${info.notes.join('; ')}`);
    assert.equal(info.simd, true);
  }
});
