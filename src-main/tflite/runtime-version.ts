// The `min_runtime_version` metadata: the oldest TFLite release that has every (op, version)
// of the model (after TFLite's runtime_version.cc, for the ops we write).

const DEFAULT_BY_VERSION: Readonly<Record<number, string>> = { 1: '1.5.0', 2: '1.14.0', 3: '1.14.0', 4: '2.3.0', 5: '2.4.0' };

const OVERRIDES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  DEPTHWISE_CONV_2D: { 2: '1.12.0', 4: '2.2.0', 5: '2.3.0', 6: '2.3.0' },
  FULLY_CONNECTED: { 2: '1.10.0', 5: '2.0.0', 6: '2.1.0', 7: '2.3.0', 9: '2.3.0' },
  UNIDIRECTIONAL_SEQUENCE_LSTM: { 1: '1.13.1', 2: '2.3.0', 3: '2.3.0', 4: '2.12.0', 5: '2.12.0' },
  RESIZE_BILINEAR: { 3: '2.2.0' },
  RESIZE_NEAREST_NEIGHBOR: { 3: '2.3.0' },
  DEQUANTIZE: { 2: '1.13.1', 3: '2.2.0', 5: '2.6.0' },
  QUANTIZE: { 2: '2.3.0', 3: '2.6.0' },
  HARD_SWISH: { 1: '1.15.0' },
  GELU: { 1: '2.9.0' },
  BATCH_MATMUL: { 1: '2.3.0', 2: '2.3.0' },
  RELU_0_TO_1: { 1: '2.14.0' },
};

function compare(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function minRuntimeVersion(ops: Iterable<{ builtin: string; version: number }>): string {
  let best = '1.5.0';
  for (const { builtin, version } of ops) {
    const v = OVERRIDES[builtin]?.[version] ?? DEFAULT_BY_VERSION[version] ?? '2.4.0';
    if (compare(v, best) > 0) best = v;
  }
  return best;
}
