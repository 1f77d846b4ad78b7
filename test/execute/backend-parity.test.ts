// Where tfjs-node loads (its libtensorflow was downloaded), the native backend and wasm compute
// the same thing: calibration ranges equal to float32 rounding and float outputs ≥ 100 dB apart.
// Offline installs have no libtensorflow: the test skips and says why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createExecutor } from '../../src-main/graph/execute';
import { mainGraph } from '../../src-main/graph/model-graph';
import { computeBackend, initTfjs, tryWasm, type Tf } from '../../src-main/graph/tfjs-backend';
import { sqnrDb } from '../../src-main/validation/sqnr';
import { GraphBuilder, randomData } from '../quantize/tiny-graphs';

function smallNet() {
  const b = new GraphBuilder();
  const same = { padding: 'SAME', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1 };
  const x = b.input('x', [1, 12, 12, 3]);
  const c = b.node('CONV_2D', [x, b.constant('w1', [8, 3, 3, 3]), b.constant('b1', [8])], 'c', [1, 12, 12, 8], { ...same, fusedActivation: 'RELU' });
  const d = b.node('DEPTHWISE_CONV_2D', [c, b.constant('w2', [1, 3, 3, 8]), b.constant('b2', [8])], 'd', [1, 12, 12, 8], { ...same, depthMultiplier: 1, fusedActivation: 'RELU6' });
  b.output(b.node('CONV_2D', [d, b.constant('w3', [4, 1, 1, 8]), b.constant('b3', [4])], 'y', [1, 12, 12, 4], { ...same, fusedActivation: 'NONE' }));
  return mainGraph(b.model());
}

async function observe(tf: Tf, samples: Float32Array[]): Promise<{ ranges: Map<string, [number, number]>; outputs: Float32Array[] }> {
  const executor = await createExecutor(smallNet(), async () => tf);
  const ranges = new Map<string, [number, number]>();
  const outputs: Float32Array[] = [];
  try {
    for (const sample of samples) {
      const [y] = await executor.run([sample], {
        observeRange: (name, min, max) => {
          const seen = ranges.get(name);
          ranges.set(name, seen ? [Math.min(seen[0], min), Math.max(seen[1], max)] : [min, max]);
        },
      });
      outputs.push(y!);
    }
  } finally {
    executor.dispose();
  }
  return { ranges, outputs };
}

test('tfjs-node and wasm give the same calibration ranges and float outputs (≥ 100 dB)', async (t) => {
  const tf = await initTfjs();
  const { backend, notes } = computeBackend();
  if (backend !== 'tensorflow') {
    t.skip(`tfjs-node does not load here (backend ${backend}): ${notes.join('; ') || 'no reason recorded'}`);
    return;
  }
  const samples = Array.from({ length: 6 }, (_, i) => randomData(12 * 12 * 3, 40 + i));
  const native = await observe(tf, samples);
  assert.ok(await tryWasm(tf, []), 'wasm backend loads beside tfjs-node');
  try {
    const wasm = await observe(tf, samples);
    assert.deepEqual([...wasm.ranges.keys()], [...native.ranges.keys()]);
    for (const [name, [min, max]] of native.ranges) {
      const [wMin, wMax] = wasm.ranges.get(name)!;
      const scale = Math.max(Math.abs(min), Math.abs(max), 1e-12);
      assert.ok(Math.abs(wMin - min) <= 1e-6 * scale && Math.abs(wMax - max) <= 1e-6 * scale, `${name}: wasm [${wMin}, ${wMax}] vs native [${min}, ${max}]`);
    }
    native.outputs.forEach((y, i) => assert.ok(sqnrDb(y, wasm.outputs[i]!) >= 100, `sample ${i}: ${sqnrDb(y, wasm.outputs[i]!)} dB`));
  } finally {
    await tf.setBackend('tensorflow');
  }
});
