// A tiny YOLO-head-shaped Keras 2 .h5 written here with h5wasm (seeded weights): three stride-2
// convolutions to an 8×8 grid, a box branch (cx, cy, w, h in pixels) and a
// class branch (sigmoid scores), concatenated and laid out as [1, 4+C, N] like ultralytics'
// export. Built only from layers converted today (no TFOpLambda). The sigmoid scores feed the
// concatenation directly, as in ultralytics' head: int8 must requantize them to the
// concatenation's scale rather than give every box value the sigmoid's fixed [0, 1] range.
import { join } from 'node:path';
import { seededRandom } from '../../src-main/seeded-random';

export const TINY = { size: 64, classes: 3, grid: 8 } as const;

type Weights = { name: string; kernel: Float32Array; kernelShape: number[]; bias?: Float32Array };

function normal(next: () => number, n: number, std: number): Float32Array {
  return Float32Array.from({ length: n }, () => std * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()));
}

const conv = (name: string, filters: number, kernel: number, stride: number, activation: string, inbound: string, useBias = true) => ({
  class_name: 'Conv2D',
  name,
  config: { name, filters, kernel_size: [kernel, kernel], strides: [stride, stride], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1], activation, use_bias: useBias },
  inbound_nodes: [[[inbound, 0, 0, {}]]],
});

/** `normalized`: the box branch scaled by 1/size, so boxes come out in 0..1 of the input (as
 *  ultralytics' TFLite export gives them) and are exactly the pixel model's boxes / size. */
export async function writeTinyYolo(dir: string, seed = 11, boxes: 'pixels' | 'normalized' = 'pixels'): Promise<string> {
  const { size, classes, grid } = TINY;
  const next = seededRandom(seed);
  const layers = [
    { class_name: 'InputLayer', name: 'images', config: { batch_input_shape: [null, size, size, 3], dtype: 'float32', name: 'images' }, inbound_nodes: [] },
    conv('c1', 8, 3, 2, 'relu', 'images'),
    conv('c2', 16, 3, 2, 'relu', 'c1'),
    conv('c3', 16, 3, 2, 'relu', 'c2'),
    conv('box_px', 4, 1, 1, 'relu', 'c3'),
    conv('scores', classes, 1, 1, 'sigmoid', 'c3'),
    { class_name: 'Concatenate', name: 'head', config: { name: 'head', axis: -1 }, inbound_nodes: [[['box_px', 0, 0, {}], ['scores', 0, 0, {}]]] },
    { class_name: 'Reshape', name: 'points', config: { name: 'points', target_shape: [grid * grid, 4 + classes] }, inbound_nodes: [[['head', 0, 0, {}]]] },
    { class_name: 'Permute', name: 'output0', config: { name: 'output0', dims: [2, 1] }, inbound_nodes: [[['points', 0, 0, {}]]] },
  ];
  const he = (fanIn: number) => Math.sqrt(2 / fanIn);
  const weights: Weights[] = [
    { name: 'c1', kernel: normal(next, 9 * 3 * 8, he(27)), kernelShape: [3, 3, 3, 8], bias: normal(next, 8, 0.1) },
    { name: 'c2', kernel: normal(next, 9 * 8 * 16, he(72)), kernelShape: [3, 3, 8, 16], bias: normal(next, 16, 0.1) },
    { name: 'c3', kernel: normal(next, 9 * 16 * 16, he(144)), kernelShape: [3, 3, 16, 16], bias: normal(next, 16, 0.1) },
    // Box values in pixels around the image centre and a quarter of its size.
    { name: 'box_px', kernel: normal(next, 16 * 4, 4 * he(16)), kernelShape: [1, 1, 16, 4], bias: Float32Array.from([size / 2, size / 2, size / 4, size / 4]) },
    // Scores mostly low, a few high: a detector's usual spread.
    { name: 'scores', kernel: normal(next, 16 * classes, 2 * he(16)), kernelShape: [1, 1, 16, classes], bias: Float32Array.from({ length: classes }, () => -2) },
  ];
  if (boxes === 'normalized') {
    const box = weights.find((w) => w.name === 'box_px')!;
    box.kernel = box.kernel.map((v) => v / size);
    box.bias = box.bias!.map((v) => v / size);
  }
  const h5wasm = await import('h5wasm/node');
  await h5wasm.ready;
  const path = join(dir, boxes === 'pixels' ? 'tiny_yolo.h5' : 'tiny_yolo_normalized.h5');
  const file = new h5wasm.File(path, 'w');
  const config = { class_name: 'Functional', config: { name: 'tiny_yolo', layers, input_layers: [['images', 0, 0]], output_layers: [['output0', 0, 0]] } };
  file.create_attribute('model_config', JSON.stringify(config));
  file.create_attribute('keras_version', '2.4.0');
  file.create_attribute('backend', 'tensorflow');
  const root = file.create_group('model_weights');
  root.create_attribute('layer_names', layers.map((l) => l.name));
  for (const layer of layers) {
    const w = weights.find((x) => x.name === layer.name);
    const group = root.create_group(layer.name);
    if (!w) {
      group.create_attribute('weight_names', []);
      continue;
    }
    group.create_attribute('weight_names', [`${w.name}/kernel:0`, ...(w.bias ? [`${w.name}/bias:0`] : [])]);
    const inner = group.create_group(w.name);
    inner.create_dataset({ name: 'kernel:0', data: w.kernel, shape: w.kernelShape, dtype: '<f' });
    if (w.bias) inner.create_dataset({ name: 'bias:0', data: w.bias, shape: [w.bias.length], dtype: '<f' });
  }
  file.close();
  return path;
}
