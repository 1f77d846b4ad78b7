// The small linear network and the photo-like inputs that the weight-rounding tests share:
// conv 3×3 (RELU) → depthwise 3×3 (RELU) → conv 1×1 → reshape → fc, fed 0..255 "images" whose
// large mean and correlated neighbours are what make rounding choices matter.
import type { ModelGraph } from '../../src-main/graph/model-graph';
import { GraphBuilder, randomData } from './tiny-graphs';

/** `firstConvAmplitude`: the spread of the first conv's weights (larger: larger activations downstream). */
export function smallNet(firstConvAmplitude = 0.02): ModelGraph {
  const b = new GraphBuilder();
  const relu = { padding: 'SAME', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, fusedActivation: 'RELU' };
  const x = b.input('x', [1, 8, 8, 3]);
  const c1 = b.node('CONV_2D', [x, b.constant('w1', [8, 3, 3, 3], randomData(216, 11, firstConvAmplitude)), b.constant('b1', [8])], 'c1', [1, 8, 8, 8], relu);
  const d = b.node('DEPTHWISE_CONV_2D', [c1, b.constant('wd', [1, 3, 3, 8]), b.constant('bd', [8])], 'dw', [1, 8, 8, 8], { ...relu, depthMultiplier: 1 });
  const c2 = b.node('CONV_2D', [d, b.constant('w2', [6, 1, 1, 8]), b.constant('b2', [6])], 'c2', [1, 8, 8, 6], relu);
  const r = b.node('RESHAPE', [c2, b.constant('shape', [2], Int32Array.of(1, 384))], 'flat', [1, 384], { newShape: [1, 384] });
  b.output(b.node('FULLY_CONNECTED', [r, b.constant('fw', [10, 384], randomData(3840, 12, 0.1)), b.constant('fb', [10])], 'logits', [1, 10], { fusedActivation: 'NONE', keepNumDims: false }));
  return b.model();
}

/** Smooth positive "images" (0..255, 8×8×3): neighbouring pixels correlate, as in photos. */
export function smoothImages(count: number, seed: number): Float32Array[] {
  return Array.from({ length: count }, (_, n) => {
    const noise = randomData(8 * 8 * 3, seed + n, 20);
    return Float32Array.from(noise, (v, i) => {
      const y = Math.floor(i / 24);
      const xPos = Math.floor(i / 3) % 8;
      return Math.max(0, Math.min(255, 128 + 60 * Math.sin((y + n) / 3) * Math.cos(xPos / 4 + (i % 3)) + v));
    });
  });
}
