// The verdict of a detector run is about its boxes: mAP@0.5 of the quantized model against the
// float model's boxes (and the drop against labels when given). The raw outputs' SQNR, which the
// classification verdict uses, mixes pixel coordinates with scores and would misjudge a detector.
import type { DetectionSection } from '../detect/report-types';
import type { Verdict } from '../evaluate/verdict';

/** mAP@0.5 vs float: [warn below, bad below]; mAP drop on labels: [warn above, bad above]. */
export const DETECT_THRESHOLDS = {
  map50: { warn: 0.95, bad: 0.9 },
  labelDrop: { warn: 0.02, bad: 0.05 },
  floatOnLabels: { bad: 0.3 },
} as const;

const HEAD_CAUSE =
  'Detector heads lose precision where box coordinates (pixels) and class scores (0..1) share one int8 range, or in a distribution (DFL) box head: read the conversion warnings and try splitting the output or keeping the head at higher precision. Also check the preprocessing and that the calibration images look like real inputs.';

export function judgeDetector(section: DetectionSection): Verdict {
  const T = DETECT_THRESHOLDS;
  const bad: string[] = [];
  const warn: string[] = [];
  const m = section.quantVsFloat;
  if (m.truths === 0) {
    return {
      level: 'warn',
      findings: [`The float model finds no boxes scoring ${section.scoreThreshold} or more on the ${m.images} validation images, so there is nothing to compare.`],
      likelyCause: 'Check the preprocessing and that the validation images show objects the model knows.',
    };
  }
  if (m.map50 !== null) {
    const text = `mAP@0.5 against the float model's boxes is ${m.map50.toFixed(3)}`;
    if (m.map50 < T.map50.bad) bad.push(`${text}, below ${T.map50.bad}: the quantized model misses or misplaces boxes (${m.missed} missed, ${m.extra} extra).`);
    else if (m.map50 < T.map50.warn) warn.push(`${text}, below ${T.map50.warn} (${m.missed} boxes missed, ${m.extra} extra).`);
  }
  let floatIsWrong = false;
  const q = section.quantVsLabels?.map50, f = section.floatVsLabels?.map50;
  if (typeof f === 'number' && f < T.floatOnLabels.bad) {
    floatIsWrong = true;
    bad.push(`The float model itself reaches mAP@0.5 ${f.toFixed(3)} on the labels: the labels, the classes or the preprocessing do not fit the model.`);
  }
  if (typeof q === 'number' && typeof f === 'number') {
    const drop = f - q;
    const text = `mAP@0.5 on the labels drops ${drop.toFixed(3)} against float`;
    if (drop > T.labelDrop.bad) bad.push(`${text} (more than ${T.labelDrop.bad}).`);
    else if (drop > T.labelDrop.warn) warn.push(`${text} (more than ${T.labelDrop.warn}).`);
  }
  const findings = [...bad, ...warn];
  if (findings.length === 0) return { level: 'good', findings };
  return { level: bad.length ? 'bad' : 'warn', findings, likelyCause: floatIsWrong ? 'Fix the labels or the preprocessing before judging quantization.' : HEAD_CAUSE };
}
