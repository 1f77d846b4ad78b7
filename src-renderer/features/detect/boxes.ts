// What the detection view shows of a run's detection record: class names, per-class rows that
// put the AP against float next to the AP against labels, and which boxes changed.
import type { Detection } from '../../../src-main/detect/boxes';
import type { RunDetection } from '../../../src-main/detect/run-record';

/** Eight box colours, repeated by class id: the box stroke and its caption chip. */
export const BOX_PALETTE = ['#22c55e', '#f59e0b', '#3b82f6', '#ec4899', '#a855f7', '#06b6d4', '#ef4444', '#84cc16'] as const;
export const boxColour = (classId: number): string => BOX_PALETTE[classId % BOX_PALETTE.length]!;

export const className = (d: RunDetection, classId: number) => d.classNames?.[classId] ?? `class ${classId}`;

export interface ClassRow {
  classId: number;
  name: string;
  /** Boxes the float model found (the truth of the quantized-vs-float figures). */
  floatBoxes: number;
  quantBoxes: number;
  ap50: number | null;
  ap5095: number | null;
  labelAp50?: number | null;
}

/** One row per class seen by either model (or in the labels), worst AP against float first. */
export function classRows(d: RunDetection): ClassRow[] {
  const vsLabels = new Map((d.quantVsLabels?.perClass ?? []).map((c) => [c.classId, c]));
  const rows: ClassRow[] = d.quantVsFloat.perClass.map((c) => ({
    classId: c.classId,
    name: className(d, c.classId),
    floatBoxes: c.truths,
    quantBoxes: c.detections,
    ap50: c.ap50,
    ap5095: c.ap5095,
    ...(d.quantVsLabels ? { labelAp50: vsLabels.get(c.classId)?.ap50 ?? null } : {}),
  }));
  for (const [classId, c] of vsLabels) {
    if (!rows.some((r) => r.classId === classId)) rows.push({ classId, name: className(d, classId), floatBoxes: 0, quantBoxes: 0, ap50: null, ap5095: null, labelAp50: c.ap50 });
  }
  const key = (r: ClassRow) => r.ap50 ?? 2;
  return rows.sort((a, b) => key(a) - key(b) || a.classId - b.classId);
}

/** The box's caption: class name and score. */
export const boxCaption = (d: RunDetection, b: Detection) => `${className(d, b.classId)} ${b.score.toFixed(2)}`;

/** Fixed-point figure (mAP, IoU) or a dash. */
export const fixed = (x: number | null | undefined, digits = 3) => (typeof x === 'number' ? x.toFixed(digits) : '–');
