// A verdict on a quantized model from its validation figures: a run can "succeed" (the file was
// written) and still be unusable, so the figures are judged against thresholds and the likely
// cause is named. The thresholds are data, shown to the user next to the verdict.

export type VerdictLevel = 'good' | 'warn' | 'bad';

export interface VerdictInput {
  sqnrDb: number | null;
  /** The output sqnrDb was measured on, named when the model has several (it is their lowest). */
  sqnrOutput?: string;
  /** Top-1 agreement with the float model (classification outputs). */
  agreement: number | null;
  /** Label accuracy of the quantized and the float model, when labels were given. */
  accuracy: number | null;
  floatAccuracy: number | null;
  /** Calibration samples actually used (few samples give clipped ranges). */
  calibrationSamples: number | null;
  /** Samples the validation compared (few samples make every figure noisy). */
  evalSamples: number | null;
}

export interface Verdict {
  level: VerdictLevel;
  /** One sentence per finding, worst first; empty when every figure is within its threshold. */
  findings: string[];
  /** What to try, for warn / bad. */
  likelyCause?: string;
}

/** [warn below, bad below]; accuracy drop in points: [warn above, bad above]. */
export const VERDICT_THRESHOLDS = {
  sqnrDb: { warn: 20, bad: 15 },
  agreement: { warn: 0.97, bad: 0.9 },
  accuracyDrop: { warn: 0.01, bad: 0.05 },
  floatAccuracy: { bad: 0.5 },
  calibrationSamples: { few: 50 },
} as const;

const PREPROCESSING_CAUSE =
  'Most often the preprocessing does not match how the model was trained (compare the calibration preview\'s value range with what the model expects: 0..1, -1..1, 0..255, ImageNet mean/std), or the calibration data is unlike the real inputs.';

export function judge(input: VerdictInput): Verdict {
  const T = VERDICT_THRESHOLDS;
  const bad: string[] = [];
  const warn: string[] = [];
  const { sqnrDb, agreement, accuracy, floatAccuracy } = input;
  if (typeof sqnrDb === 'number') {
    const text = `SQNR ${sqnrDb.toFixed(1)} dB${input.sqnrOutput ? ` (output ${input.sqnrOutput}, the lowest)` : ''}`;
    if (sqnrDb < T.sqnrDb.bad) bad.push(`${text} is below ${T.sqnrDb.bad} dB: the quantized outputs differ strongly from float.`);
    else if (sqnrDb < T.sqnrDb.warn) warn.push(`${text} is below ${T.sqnrDb.warn} dB: noticeable error against float.`);
  }
  if (typeof agreement === 'number') {
    const text = `Top-1 agreement with float ${(agreement * 100).toFixed(1)}%`;
    if (agreement < T.agreement.bad) bad.push(`${text} is below ${T.agreement.bad * 100}%.`);
    else if (agreement < T.agreement.warn) warn.push(`${text} is below ${T.agreement.warn * 100}%.`);
  }
  let floatIsWrong = false;
  if (typeof floatAccuracy === 'number' && floatAccuracy < T.floatAccuracy.bad) {
    floatIsWrong = true;
    bad.push(`The float model itself scores ${(floatAccuracy * 100).toFixed(1)}% on this data: the data or its preprocessing does not fit the model.`);
  }
  if (typeof accuracy === 'number' && typeof floatAccuracy === 'number') {
    const drop = floatAccuracy - accuracy;
    const text = `Accuracy drops ${(drop * 100).toFixed(1)} points against float`;
    if (drop > T.accuracyDrop.bad) bad.push(`${text} (more than ${T.accuracyDrop.bad * 100}).`);
    else if (drop > T.accuracyDrop.warn) warn.push(`${text} (more than ${T.accuracyDrop.warn * 100}).`);
  }
  const findings = [...bad, ...warn];
  if (findings.length === 0) return { level: 'good', findings };
  const few = typeof input.calibrationSamples === 'number' && input.calibrationSamples < T.calibrationSamples.few;
  const causes = [floatIsWrong ? 'The preprocessing (or the data) is wrong for this model: fix it before judging quantization.' : PREPROCESSING_CAUSE];
  if (few) causes.push(`Only ${input.calibrationSamples} calibration samples were used: give ${T.calibrationSamples.few * 2} or more.`);
  if (!floatIsWrong) causes.push('If the preprocessing is right, try GPTQ weight rounding or INT16 activations.');
  return { level: bad.length ? 'bad' : 'warn', findings, likelyCause: causes.join(' ') };
}
