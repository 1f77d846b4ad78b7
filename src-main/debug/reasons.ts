// Plain-language reasons a layer is hard to quantize, from its measured figures. Thresholds are
// the ones a practitioner reads them by: rmse/scale ≈ 0.29 is ideal rounding noise.
import type { LayerDebugRow } from './types';

const IDEAL_RMSE_OVER_SCALE = 1 / Math.sqrt(12);
const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

export function layerReasons(row: Omit<LayerDebugRow, 'reasons'>, baselineDb?: number): string[] {
  const reasons: { weight: number; text: string }[] = [];
  const iso = row.isolated;
  const acc = row.accumulated;
  const w = row.weights;
  if (w && w.outlierChannels.length) {
    const top = w.outlierChannels[0]!;
    const shared = w.granularity === 'tensor' ? ' and all channels share one scale, so the others get few levels' : '';
    reasons.push({ weight: w.granularity === 'tensor' ? 3 : 1, text: `channel ${top.channel} has ${fmt(top.ratio, 0)}× the weight range of the median channel${shared}` });
  }
  if (iso?.saturation !== undefined && iso.saturation > 0.005) {
    reasons.push({ weight: 4, text: `${fmt(iso.saturation * 100)}% of its output values fall outside the calibrated range and are clipped (calibration data not representative, or too few samples)` });
  }
  if (iso?.levelsUsed !== undefined && iso.levelsUsed < 0.1) {
    const levels = Math.round(iso.levelsUsed * (row.dtype === 'int16' ? 65536 : 256));
    reasons.push({ weight: 3, text: `its output uses only ${levels} of ${row.dtype === 'int16' ? 65536 : 256} ${row.dtype} levels: a few large values (or another range merged in) stretch the scale` });
  }
  if (iso?.rmseOverScale !== undefined && iso.rmseOverScale > 2 * IDEAL_RMSE_OVER_SCALE) {
    reasons.push({ weight: 2, text: `alone, its error is ${fmt(iso.rmseOverScale / IDEAL_RMSE_OVER_SCALE)}× pure rounding noise (weights or inputs lose precision, not just its output)` });
  }
  if (iso && acc && iso.sqnrDb - acc.sqnrDb > 10) {
    reasons.push({ weight: 1, text: `most of its error is carried in from earlier layers (${fmt(acc.sqnrDb)} dB in the whole model vs ${fmt(iso.sqnrDb)} dB alone)` });
  }
  if (row.sensitivity && baselineDb !== undefined && row.sensitivity.aloneFloatDb - baselineDb > 1) {
    reasons.push({ weight: 5, text: `keeping it float raises the outputs from ${fmt(baselineDb)} to ${fmt(row.sensitivity.aloneFloatDb)} dB` });
  }
  return reasons.sort((a, b) => b.weight - a.weight).map((r) => r.text);
}
