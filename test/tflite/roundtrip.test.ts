// Official converter outputs → our reader → our writer: the rewritten file must run in the real
// runtimes with outputs identical to the original (same runtime, same inputs), keep the op
// histogram and operator versions, and stay within 1% of the original size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readOperatorCodes, readTflite } from '../../src-main/tflite/reader';
import { writeTflite } from '../../src-main/tflite/writer';
import { opHistogram } from '../../src-main/graph/model-graph';
import { getRuntime } from '../../src-main/runtime/index';
import type { RuntimeName } from '../../src-main/runtime/types';
import { FIXTURES_ABSENT, fixture, haveFixtures, repoRoot, sampleInput, sqnrDb } from './helpers';

interface Case {
  file: string;
  runtimes: RuntimeName[];
  /** Allowed relative size difference. */
  sizeTolerance: number;
  /** Operator versions where the official file differs from op_version.cc, with the reason. */
  versionQuirks?: Record<string, string>;
}

const CASES: Case[] = [
  { file: 'mlperf-tiny/vww/vww_96_float.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  { file: 'mlperf-tiny/vww/vww_96_int8.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  { file: 'mlperf-tiny/resnet8/pretrainedResnet.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  { file: 'mlperf-tiny/resnet8/pretrainedResnet_quant.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  { file: 'mlperf-tiny/ad01/ad01_fp32.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  { file: 'mlperf-tiny/ad01/ad01_int8.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  { file: 'mlperf-tiny/ad01/ad01_dynamic_range.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  { file: 'mlperf-tiny/kws/kws_ref_model_int8.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  {
    file: 'mlperf-tiny/kws/kws_ref_model_dynamic_range.tflite',
    runtimes: ['litert-js', 'tflite-node'],
    sizeTolerance: 0.01,
    versionQuirks: { FULLY_CONNECTED: 'TF 2.3 versioned it as hybrid (3) but left its 768-element weights float; float FC is 1' },
  },
  { file: 'mlperf-tiny/str_ww/str_ww_ref_model.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.02 },
  { file: 'mediapipe/palm_detection_lite.tflite', runtimes: ['litert-js'], sizeTolerance: 0.01 },
  { file: 'tflite-micro/trained_lstm.tflite', runtimes: ['tflite-node'], sizeTolerance: 0.02 },
  { file: 'coral/movenet_single_pose_lightning_ptq.tflite', runtimes: ['tflite-node'], sizeTolerance: 0.01 },
];

const outDir = join(repoRoot, 'test-output', 'tflite-roundtrip');

for (const c of CASES) {
  test(`round trip ${c.file}`, { skip: !haveFixtures && FIXTURES_ABSENT }, async () => {
    const original = fixture(c.file);
    const model = readTflite(original);
    const written = writeTflite(model);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, c.file.split('/').pop() as string), written);

    const size = written.length / original.length - 1;
    assert.ok(Math.abs(size) <= c.sizeTolerance, `size ${original.length} → ${written.length} (${(size * 100).toFixed(2)}%)`);

    const reread = readTflite(written);
    assert.deepEqual(opHistogram(reread.graphs[0]!), opHistogram(model.graphs[0]!));
    // Versions of the ops the graph uses (official files may list unused opcodes).
    const used = Object.keys(opHistogram(model.graphs[0]!)).map((k) => k.replace(/^CUSTOM:/, ''));
    const versions = (bytes: Uint8Array) =>
      Object.fromEntries(
        readOperatorCodes(bytes)
          .map((code) => [code.customCode ?? code.builtin, code.version] as const)
          .filter(([name]) => used.includes(name) && !c.versionQuirks?.[name]),
      );
    assert.deepEqual(versions(written), versions(original), 'operator versions as the official converter set them');
    const graph = reread.graphs[0]!;
    for (const [name, tensor] of model.graphs[0]!.tensors) {
      const copy = graph.tensors.get(name);
      assert.ok(copy, `tensor ${name} kept`);
      assert.deepEqual(copy.shape, tensor.shape, `${name} shape`);
      assert.deepEqual(copy.quant, tensor.quant, `${name} quantization`);
      assert.deepEqual(copy.data, tensor.data, `${name} data`);
    }

    for (const name of c.runtimes) {
      const runtime = getRuntime(name);
      const a = await runtime.load(original);
      const b = await runtime.load(written);
      assert.deepEqual(b.inputs, a.inputs, `${name}: same inputs`);
      for (let seed = 1; seed <= 3; seed++) {
        await a.reset();
        await b.reset();
        const inputs = a.inputs.map((info, i) => sampleInput(info, seed * 10 + i));
        const expected = await a.run(inputs);
        const actual = await b.run(inputs);
        expected.forEach((out, i) => {
          assert.deepEqual(actual[i], out, `${name} output ${i} seed ${seed} (SQNR ${sqnrDb(out, actual[i]!).toFixed(1)} dB)`);
        });
      }
      a.dispose();
      b.dispose();
    }
  });
}
