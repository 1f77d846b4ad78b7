// The real files the importer fuzz mutates, one list per format. Model files come from
// ../shared/fixtures (made by the official tools) and npm packages that ship models; a format
// whose files are absent is reported as skipped. Calibration data (.npy/.npz) and a Keras 3
// archive are written here the way numpy and Keras write them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { encodeNpy } from '../src-main/data/npy';
import { encodeNpz } from '../src-main/data/npz';
import { seededRandom } from '../src-main/seeded-random';

export interface Seed {
  name: string;
  /** The model's files: path inside the case folder → where the original is. */
  files: Record<string, string>;
  /** What the user gives inspect/convert, relative to the case folder. */
  main: string;
  /** Files a case may mutate (one per case). */
  mutable: string[];
  /** For calibration data: the model input it is read for. */
  input?: { name: string; shape: number[]; dtype: string };
}

export const FORMATS = ['tflite', 'keras-h5', 'keras-json', 'keras-v3', 'savedmodel', 'tfjs-layers', 'tfjs-graph', 'npy', 'npz'] as const;
export type Format = (typeof FORMATS)[number];

const root = join(import.meta.dirname, '..');
const fixtures = join(root, '..', 'shared', 'fixtures');
const human = join(root, 'node_modules', '@vladmandic', 'human-models', 'models');

function single(name: string, path: string, as = name): Seed[] {
  return existsSync(path) ? [{ name, files: { [as]: path }, main: as, mutable: [as] }] : [];
}

function folder(name: string, dir: string, main: string, files: string[], mutable = files): Seed[] {
  if (!existsSync(join(dir, main))) return [];
  return [{ name, files: Object.fromEntries(files.map((f) => [f, join(dir, f)])), main, mutable }];
}

/** A small Keras 3 archive (Conv2D → BatchNorm → Dense) as Keras 3 saves it. */
async function keras3Seed(work: string): Promise<Seed[]> {
  const h5wasm = await import('h5wasm/node');
  await h5wasm.ready;
  const random = seededRandom(5);
  const values = (n: number) => Float32Array.from({ length: n }, () => random() - 0.5);
  const weightsPath = join(work, 'model.weights.h5');
  const file = new h5wasm.File(weightsPath, 'w');
  const layers = file.create_group('layers');
  const add = (name: string, arrays: [Float32Array, number[]][]) => {
    const vars = layers.create_group(name).create_group('vars');
    arrays.forEach(([data, shape], i) => vars.create_dataset({ name: String(i), data, shape, dtype: '<f' }));
  };
  add('conv', [[values(3 * 3 * 3 * 4), [3, 3, 3, 4]], [values(4), [4]]]);
  add('bn', [[values(4).map((v) => v + 1), [4]], [values(4), [4]], [values(4), [4]], [values(4).map((v) => v + 1), [4]]]);
  add('dense', [[values(4 * 8 * 8 * 3), [256, 3]], [values(3), [3]]]);
  file.close();
  const tensor = (layer: string, shape: (number | null)[]) => ({ class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [layer, 0, 0] } });
  const layer = (class_name: string, name: string, config: object, from?: [string, (number | null)[]]) => ({
    module: 'keras.layers',
    class_name,
    name,
    config: { name, ...config },
    inbound_nodes: from ? [{ args: [tensor(...from)], kwargs: {} }] : [],
  });
  const config = {
    module: 'keras',
    class_name: 'Functional',
    config: {
      name: 'fuzz_seed',
      layers: [
        layer('InputLayer', 'input', { batch_shape: [null, 8, 8, 3], dtype: 'float32' }),
        layer('Conv2D', 'conv', { filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', use_bias: true }, ['input', [null, 8, 8, 3]]),
        layer('BatchNormalization', 'bn', { axis: -1, epsilon: 0.001, center: true, scale: true }, ['conv', [null, 8, 8, 4]]),
        layer('Flatten', 'flatten', {}, ['bn', [null, 8, 8, 4]]),
        layer('Dense', 'dense', { units: 3, activation: 'softmax', use_bias: true }, ['flatten', [null, 256]]),
      ],
      input_layers: [['input', 0, 0]],
      output_layers: [['dense', 0, 0]],
    },
  };
  const archive = join(work, 'seed.keras');
  writeFileSync(
    archive,
    zipSync({
      'metadata.json': new TextEncoder().encode(JSON.stringify({ keras_version: '3.6.0' })),
      'config.json': new TextEncoder().encode(JSON.stringify(config)),
      'model.weights.h5': new Uint8Array(readFileSync(weightsPath)),
    }),
  );
  return single('keras3-conv-bn-dense', archive, 'model.keras');
}

/** Calibration data as numpy.save / numpy.savez / numpy.savez_compressed write it. */
function dataSeeds(work: string, kind: 'npy' | 'npz'): Seed[] {
  const random = seededRandom(9);
  const input = { name: 'input_1', shape: [1, 4, 4, 3], dtype: 'float32' };
  const samples = { dtype: 'float32' as const, shape: [6, 4, 4, 3], data: Float32Array.from({ length: 6 * 48 }, () => random()) };
  const labels = { dtype: 'int64' as const, shape: [6], data: BigInt64Array.from({ length: 6 }, (_, i) => BigInt(i % 3)) };
  if (kind === 'npy') {
    const path = join(work, 'samples.npy');
    writeFileSync(path, encodeNpy(samples));
    const uint8 = join(work, 'pixels.npy');
    writeFileSync(uint8, encodeNpy({ dtype: 'uint8', shape: [3, 4, 4, 3], data: Uint8Array.from({ length: 144 }, () => Math.floor(random() * 256)) }));
    return [{ ...single('float32-rows', path, 'samples.npy')[0]!, input }, { ...single('uint8-rows', uint8, 'pixels.npy')[0]!, input: { ...input, dtype: 'uint8' } }];
  }
  const stored = join(work, 'stored.npz');
  writeFileSync(stored, encodeNpz({ input_1: samples, labels }));
  const deflated = join(work, 'deflated.npz');
  writeFileSync(deflated, encodeNpz({ input_1: samples, labels }, true));
  const seeds = [{ ...single('savez', stored, 'data.npz')[0]!, input }, { ...single('savez_compressed', deflated, 'data.npz')[0]!, input }];
  const real = join(fixtures, 'mlperf-tiny', 'str_ww', 'calibration_samples.npz');
  if (existsSync(real)) seeds.push({ ...single('str_ww-calibration', real, 'data.npz')[0]!, input: { name: 'input_1', shape: [1, 30, 1, 40], dtype: 'float32' } });
  return seeds;
}

export async function seedsFor(format: Format, work: string): Promise<Seed[]> {
  mkdirSync(work, { recursive: true });
  const f = (...parts: string[]) => join(fixtures, ...parts);
  switch (format) {
    case 'tflite':
      return [
        ...single('hello_world_int8', f('tflite-micro', 'hello_world_int8.tflite'), 'model.tflite'),
        ...single('kws_int8', f('mlperf-tiny', 'kws', 'kws_ref_model_int8.tflite'), 'model.tflite'),
        ...single('add_quantized', f('litert-testdata', 'add_quantized.bin'), 'model.tflite'),
        ...single('multi_signatures', f('litert-testdata', 'multi_signatures.bin'), 'model.tflite'),
      ];
    case 'keras-h5':
      return [...single('str_ww', f('mlperf-tiny', 'str_ww', 'str_ww_ref_model.h5'), 'model.h5'), ...single('resnet8', f('mlperf-tiny', 'resnet8', 'pretrainedResnet.h5'), 'model.h5')];
    case 'keras-json':
      return [
        ...folder('lstm', f('keras-json', 'lstm'), 'model.json', ['model.json', 'weights.h5']),
        ...folder('toyresnet', f('keras-json', 'toyresnet'), 'modelConfig.json', ['modelConfig.json', 'weights.h5'], ['modelConfig.json']),
      ];
    case 'keras-v3':
      return [...(await keras3Seed(work)), ...single('subclassed', f('keras-json', 'keras3_subclassed_custom_model.keras'), 'model.keras')];
    case 'savedmodel': {
      const files = ['saved_model.pb', 'variables/variables.index', 'variables/variables.data-00000-of-00001'];
      return folder('kws', f('mlperf-tiny', 'kws', 'kws_ref_model_savedmodel'), 'saved_model.pb', files).map((s) => ({ ...s, main: '.' }));
    }
    case 'tfjs-layers':
      return folder('gru', f('tfjs', 'tfjs_e2e', 'gru_layers_model'), 'model.json', ['model.json', 'weights.bin']);
    case 'tfjs-graph':
      return [
        ...folder('matmul', f('tfjs', 'tfjs_e2e', 'matmul_graph_model'), 'model.json', ['model.json', 'weights.bin']),
        ...folder('human-age', human, 'age.json', ['age.json', 'age.bin']),
      ];
    case 'npy':
    case 'npz':
      return dataSeeds(work, format);
  }
}
