// The measured cost of --weight-rounding gptq, in one place for the CLI help, the README and the
// Quantize page (the renderer may not import engine code, so this lives outside src-main).
// Measured 2026-12-04 03:57–04:01 UTC (quiet 2-core machine, load 1.2–1.9, three runs) with
// `npm run bench -- quantize-mobilenetv2`: MobileNetV2 224 (nsfwjs), 100 calibration images, one
// worker, wall time of the whole conversion relative to its default int8 conversion (nearest
// rounding with bias correction: 4.2–4.4 s; int8 gptq 7.0–7.2 s, ×1.64–1.66; fp16 gptq 28.4–29.8 s,
// ×6.5–6.9). FP16's ratio grew because the default int8 conversion got faster, not FP16 slower.
export const GPTQ_COST = {
  measured: '2026-12-04',
  /** int8 with gptq ÷ int8 with nearest rounding (both calibrate on the same samples). */
  int8: 1.7,
  /** fp16 with gptq (one pass per layer) ÷ int8 with nearest rounding. */
  fp16: 6.7,
} as const;

/** "int8 ×1.9, FP16 ×4.9 the time of plain int8 calibration" */
export function gptqCostText(): string {
  return `int8 ×${GPTQ_COST.int8}, FP16 ×${GPTQ_COST.fp16} the time of plain int8 calibration`;
}
