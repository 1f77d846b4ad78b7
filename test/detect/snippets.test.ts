// The generated host-side decoders give the same boxes as the TypeScript decoder on the same raw
// outputs: Python (numpy) run by python3, C++ compiled by g++. Skips visibly without them.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { detect, type Detection, type RawOutput } from '../../src-main/detect/index';
import { cppDetectorSnippet } from '../../src-main/detect/snippets/cpp';
import { pythonDetectorSnippet } from '../../src-main/detect/snippets/python';
import { headPlan, type DetectorSnippetSpec, type SnippetTensor } from '../../src-main/detect/snippets/plan';
import { fromRuntimeOutput, toRuntimeInput } from '../../src-main/evaluate/io';
import { seededRandom } from '../../src-main/seeded-random';
import { tempDir } from '../convert/helpers';
import { fixturePhotos, fixtures, humanModels, runGraphModelInTfjs } from '../formats/tfjs-graph-reference';
import { encodeYolov8 } from './encode';
import type { BoxScale } from '../../src-main/detect/decoders/types';
import type { DetectionSection } from '../../src-main/detect/report-types';
import { detectorSnippets } from '../../src-main/detect/run-record';

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
const hasGpp = spawnSync('g++', ['--version'], { stdio: 'ignore' }).status === 0;

/** Raw outputs as the board reads them: int8 with the tensor's scale/zero point, or float32. */
interface RawCase {
  spec: DetectorSnippetSpec;
  raw: (Int8Array | Float32Array)[];
}

/** int8 over each output's own range, from `lows[k]` (default 0) or its lowest value if lower, to its highest. */
function quantizeOutputs(outputs: RawOutput[], names: string[], int8: boolean, lows: number[] = []): { tensors: SnippetTensor[]; raw: (Int8Array | Float32Array)[] } {
  const tensors = outputs.map((o, k): SnippetTensor => {
    if (!int8) return { name: names[k]!, shape: o.shape, dtype: 'float32' };
    let lo = Math.min(0, lows[k] ?? 0), hi = 0;
    for (const v of o.data) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const scale = (hi - lo) / 255 || 1;
    return { name: names[k]!, shape: o.shape, dtype: 'int8', quant: { scale, zeroPoint: Math.round(-128 - lo / scale) } };
  });
  const raw = outputs.map((o, k) => (int8 ? (toRuntimeInput(o.data, { ...tensors[k]!, dtype: 'int8' }) as Int8Array) : o.data));
  return { tensors, raw };
}

/** What the TypeScript side finds on the same raw arrays (dequantized as evaluate does). */
function tsBoxes(c: RawCase): Detection[] {
  const outputs = c.raw.map((r, k) => ({ shape: c.spec.outputs[k]!.shape, data: fromRuntimeOutput(r, { ...c.spec.outputs[k]!, dtype: r instanceof Int8Array ? 'int8' : 'float32' }) }));
  const s = c.spec;
  const size = { inputWidth: s.input.shape[s.input.shape.length - 2]!, inputHeight: s.input.shape[s.input.shape.length - 2]! };
  return detect(outputs, { decoder: s.decoder, ...size, scoreThreshold: s.scoreThreshold, iouThreshold: s.iouThreshold, maxDetections: s.maxDetections, ...(s.boxScale ? { boxScale: s.boxScale } : {}) });
}

/** Writes each raw output to a file; returns 'int8|float32:PATH:COUNT' arguments. */
function rawFiles(dir: string, c: RawCase): string[] {
  return c.raw.map((r, k) => {
    const file = join(dir, `out${k}.bin`);
    writeFileSync(file, new Uint8Array(r.buffer, r.byteOffset, r.byteLength));
    return `${r instanceof Int8Array ? 'int8' : 'float32'}:${file}:${r.length}`;
  });
}

function pythonBoxes(c: RawCase): Detection[] {
  const dir = tempDir('edgequant-snippet-');
  writeFileSync(join(dir, 'detector.py'), pythonDetectorSnippet(c.spec));
  const driver = [
    'import json, sys',
    'import numpy as np',
    'sys.path.insert(0, sys.argv[1])',
    'from detector import detect',
    'outs = []',
    'for arg in sys.argv[2:]:',
    '    dtype, path, _ = arg.split(":")',
    '    outs.append(np.fromfile(path, dtype=dtype))',
    'print(json.dumps(detect(outs)))',
  ].join('\n');
  const out = execFileSync('python3', ['-c', driver, dir, ...rawFiles(dir, c)], { encoding: 'utf8' });
  return (JSON.parse(out) as number[][]).map(([x1, y1, x2, y2, score, classId]) => ({ x1: x1!, y1: y1!, x2: x2!, y2: y2!, score: score!, classId: classId! }));
}

const CPP_DRIVER = `#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include "detector.h"
int main(int argc, char** argv) {
  std::vector<std::vector<float>> outs;
  for (int k = 1; k < argc; k++) {
    std::string a = argv[k];
    std::size_t p1 = a.find(':'), p2 = a.rfind(':');
    std::string type = a.substr(0, p1), path = a.substr(p1 + 1, p2 - p1 - 1);
    std::size_t n = std::stoul(a.substr(p2 + 1));
    FILE* f = std::fopen(path.c_str(), "rb");
    if (type == "int8") { std::vector<int8_t> q(n); std::fread(q.data(), 1, n, f); outs.push_back(detector::Dequantize(k - 1, q.data(), n)); }
    else { std::vector<float> v(n); std::fread(v.data(), 4, n, f); outs.push_back(detector::Dequantize(k - 1, v.data(), n)); }
    std::fclose(f);
  }
  for (const auto& b : detector::Detect(outs)) std::printf("%.17g %.17g %.17g %.17g %.17g %d\\n", b.x1, b.y1, b.x2, b.y2, b.score, b.cls);
}
`;

function cppBoxes(c: RawCase): Detection[] {
  const dir = tempDir('edgequant-snippet-');
  writeFileSync(join(dir, 'detector.h'), cppDetectorSnippet(c.spec));
  writeFileSync(join(dir, 'main.cpp'), CPP_DRIVER);
  execFileSync('g++', ['-std=c++14', '-O1', '-Wall', '-Werror', '-o', join(dir, 'detect'), join(dir, 'main.cpp')], { cwd: dir });
  const out = execFileSync(join(dir, 'detect'), rawFiles(dir, c), { encoding: 'utf8' });
  return out.trim().split('\n').filter(Boolean).map((line) => {
    const [x1, y1, x2, y2, score, classId] = line.split(' ').map(Number);
    return { x1: x1!, y1: y1!, x2: x2!, y2: y2!, score: score!, classId: classId! };
  });
}

function assertSame(got: Detection[], want: Detection[]) {
  assert.ok(want.length > 0, 'the case finds no boxes: nothing compared');
  assert.equal(got.length, want.length, `python ${got.length} boxes, TypeScript ${want.length}`);
  got.forEach((g, i) => {
    const w = want[i]!;
    assert.equal(g.classId, w.classId, `box ${i} class`);
    assert.ok(Math.abs(g.score - w.score) < 1e-6, `box ${i} score ${g.score} vs ${w.score}`);
    for (const k of ['x1', 'y1', 'x2', 'y2'] as const) assert.ok(Math.abs(g[k] - w[k]) < 1e-4, `box ${i} ${k}: ${g[k]} vs ${w[k]}`);
  });
}

/** A YOLOv8 head with 40 random boxes (many overlapping) over 7 classes, in pixels or 0..1 of the
 *  input. int8 shares one range between pixels and scores, so its pixel case uses a 32-pixel input
 *  to keep scores above zero. */
function yoloCase(channelsFirst: boolean, int8: boolean, boxScale: BoxScale = 'pixels'): RawCase {
  const next = seededRandom(channelsFirst ? 3 : 4);
  const size = int8 && boxScale === 'pixels' ? 32 : 640;
  const unit = boxScale === 'normalized' ? size : 1;
  const boxes: Detection[] = Array.from({ length: 40 }, (_, k) => {
    const x = next() * size * 0.85, y = next() * size * 0.85, w = size * (0.03 + next() * 0.3), h = size * (0.03 + next() * 0.3);
    return { x1: x / unit, y1: y / unit, x2: (x + w) / unit, y2: (y + h) / unit, score: 0.2 + 0.8 * next(), classId: k % 7 };
  });
  const out = encodeYolov8(boxes, boxes.map((_, k) => k * 13), 10, 840, channelsFirst);
  const { tensors, raw } = quantizeOutputs([out], ['output0'], int8);
  return { spec: { decoder: 'yolov8', input: { name: 'images', shape: [1, size, size, 3], dtype: 'float32' }, outputs: tensors, scoreThreshold: 0.25, iouThreshold: 0.45, maxDetections: 30, boxScale }, raw };
}

test('python snippet: YOLOv8 [1,4+C,N] and [1,N,4+C], float and int8 outputs, same boxes as TypeScript', { skip: !hasNumpy && 'python3 with numpy not found' }, () => {
  for (const channelsFirst of [true, false]) {
    for (const int8 of [false, true]) {
      const c = yoloCase(channelsFirst, int8);
      assertSame(pythonBoxes(c), tsBoxes(c));
    }
  }
});

test('C++ snippet: YOLOv8 both layouts, float and int8 outputs, compiled with g++, same boxes as TypeScript', { skip: !hasGpp && 'g++ not found' }, () => {
  for (const channelsFirst of [true, false]) {
    for (const int8 of [false, true]) {
      const c = yoloCase(channelsFirst, int8);
      assertSame(cppBoxes(c), tsBoxes(c));
    }
  }
});

test('python and C++ snippets: YOLOv8 boxes in 0..1 of the input come out in pixels, as the evaluation decoded them', { skip: !hasNumpy && !hasGpp && 'neither python3 with numpy nor g++ found' }, () => {
  for (const int8 of [false, true]) {
    const c = yoloCase(true, int8, 'normalized');
    const want = tsBoxes(c);
    assert.ok(want.some((b) => b.x2 > 100), 'the TypeScript decoder gives pixels of the 640-pixel input');
    if (hasNumpy) assertSame(pythonBoxes(c), want);
    if (hasGpp) assertSame(cppBoxes(c), want);
  }
  // A run's snippets follow the box scale its evaluation found.
  const c = yoloCase(true, false, 'normalized');
  const section = { decoder: 'yolov8', boxScale: 'normalized', scoreThreshold: 0.25, iouThreshold: 0.45, maxDetections: 30 } as unknown as DetectionSection;
  const snippets = detectorSnippets(section, c.spec.input, c.spec.outputs)!;
  assert.match(snippets.python, /^BOX_SCALE_X, BOX_SCALE_Y = 640, 640$/m);
  assert.match(snippets.cpp, /constexpr double kBoxScaleX = 640, kBoxScaleY = 640;/);
  const pixels = detectorSnippets({ ...section, boxScale: 'pixels' }, c.spec.input, c.spec.outputs)!;
  assert.match(pixels.python, /^BOX_SCALE_X, BOX_SCALE_Y = 1, 1$/m);
});

/**
 * The yoloCase head at 640 pixels as `--detector-fix split` writes it: boxes then scores, each
 * output with its own int8 range. The boxes' range reaches 64 pixels below zero (a box past the
 * left edge in calibration), so their zero point differs from the scores' -128 as well as their scale.
 */
function splitCase(channelsFirst: boolean, int8: boolean): { split: RawCase; joined: RawCase } {
  const joined = yoloCase(channelsFirst, false);
  const [shape, data] = [joined.spec.outputs[0]!.shape, joined.raw[0] as Float32Array];
  const [channels, count] = channelsFirst ? [shape[1]!, shape[2]!] : [shape[2]!, shape[1]!];
  const part = (first: number, width: number): RawOutput => {
    const values = new Float32Array(width * count);
    for (let i = 0; i < count; i++) for (let c = 0; c < width; c++) values[channelsFirst ? c * count + i : i * width + c] = data[channelsFirst ? (first + c) * count + i : i * channels + first + c]!;
    return { shape: channelsFirst ? [1, width, count] : [1, count, width], data: values };
  };
  const { tensors, raw } = quantizeOutputs([part(0, 4), part(4, channels - 4)], ['output0_boxes', 'output0_scores'], int8, [-64]);
  // The TypeScript reference decodes the joined output the split parts hold (dequantized).
  const values = raw.map((r, k) => fromRuntimeOutput(r, { ...tensors[k]!, dtype: r instanceof Int8Array ? 'int8' : 'float32' }));
  const rejoined = new Float32Array(data.length);
  for (let i = 0; i < count; i++) for (let c = 0; c < channels; c++) {
    const [k, cc, width] = c < 4 ? [0, c, 4] : [1, c - 4, channels - 4];
    rejoined[channelsFirst ? c * count + i : i * channels + c] = values[k]![channelsFirst ? cc * count + i : i * width + cc]!;
  }
  return { split: { spec: { ...joined.spec, outputs: tensors }, raw }, joined: { spec: joined.spec, raw: [rejoined] } };
}

test('python and C++ snippets: a YOLOv8 head split into boxes and scores outputs (--detector-fix split), each with its own int8 scale and zero point, gives the boxes of the joined head', { skip: !hasNumpy && !hasGpp && 'neither python3 with numpy nor g++ found' }, () => {
  for (const channelsFirst of [true, false]) {
    for (const int8 of [false, true]) {
      const { split, joined } = splitCase(channelsFirst, int8);
      if (int8) {
        const [b, s] = split.spec.outputs.map((o) => o.quant!);
        assert.ok(b!.scale !== s!.scale && b!.zeroPoint !== s!.zeroPoint, `boxes and scores have their own scale and zero point: ${JSON.stringify([b, s])}`);
      }
      const want = tsBoxes(joined);
      if (hasNumpy) assertSame(pythonBoxes(split), want);
      if (hasGpp) assertSame(cppBoxes(split), want);
    }
  }
  const { split } = splitCase(true, true);
  const snippets = detectorSnippets({ decoder: 'yolov8', scoreThreshold: 0.25, iouThreshold: 0.45, maxDetections: 30 } as unknown as DetectionSection, split.spec.input, split.spec.outputs)!;
  assert.match(snippets.python, /boxes \[1, 4, N\] and scores \[1, C, N\] as two outputs/);
  assert.match(snippets.cpp, /boxes \[1, 4, N\] and scores \[1, C, N\] as two outputs/);
});

test('a yolov8 snippet refuses two outputs that are no split head, in one line', () => {
  const input = { name: 'images', shape: [1, 640, 640, 3], dtype: 'float32' };
  const spec = (...shapes: number[][]): DetectorSnippetSpec => ({ decoder: 'yolov8', input, outputs: shapes.map((shape, k) => ({ name: `y${k}`, shape, dtype: 'float32' })), scoreThreshold: 0.25, iouThreshold: 0.45, maxDetections: 30 });
  assert.equal(headPlan(spec([1, 4, 8400], [1, 80, 8400])).kind, 'yolov8');
  assert.equal(headPlan(spec([1, 8400, 4], [1, 8400, 1])).kind, 'yolov8', 'a one-class head, channels last');
  for (const shapes of [[[1, 4, 8400], [1, 80, 2100]], [[1, 5, 8400], [1, 80, 8400]], [[1, 4, 8400], [1, 80, 8400], [1, 10]]]) {
    assert.throws(() => headPlan(spec(...shapes)), (error: Error) => {
      assert.equal(error.name, 'DetectInputError');
      assert.match(error.message, /^A yolov8 snippet needs one output \[1, 4\+C, N\].*or boxes \[1, 4, N\] and scores \[1, C, N\] as split outputs; the model gives \[/);
      assert.equal(error.message.split('\n').length, 1);
      return true;
    });
  }
});

const photos = join(fixtures, 'images', 'photos');

test('python and C++ snippets: NanoDet real outputs (TF.js on a photo), float and int8, same boxes as TypeScript', { skip: (!hasNumpy && !hasGpp && 'neither python3 with numpy nor g++ found') || (!existsSync(photos) && `fixture photos absent (${photos})`) }, async () => {
  const [photo] = await fixturePhotos({ height: 416, width: 416, channels: 3 }, { dirs: ['images/photos'], limit: 2 });
  const hw = 416 * 416;
  const nchw = new Float32Array(photo!.length);
  for (let i = 0; i < hw; i++) for (let c = 0; c < 3; c++) nchw[c * hw + i] = photo![i * 3 + c]!;
  const values = await runGraphModelInTfjs(join(humanModels, 'nanodet.json'), [nchw], [[1, 3, 416, 416]]);
  const outputs = values.map((data) => {
    const cells = [169, 676, 2704].find((n) => n * 80 === data.length);
    return { shape: cells ? [1, cells, 80] : [1, data.length / 44, 44], data };
  });
  for (const int8 of [false, true]) {
    const { tensors, raw } = quantizeOutputs(outputs, outputs.map((_, k) => `Identity_${k}`), int8);
    const c: RawCase = { spec: { decoder: 'nanodet', input: { name: 'input_1', shape: [1, 3, 416, 416], dtype: 'float32' }, outputs: tensors, scoreThreshold: 0.1, iouThreshold: 0.45, maxDetections: 100 }, raw };
    if (hasNumpy) assertSame(pythonBoxes(c), tsBoxes(c));
    if (hasGpp) assertSame(cppBoxes(c), tsBoxes(c));
  }
});
