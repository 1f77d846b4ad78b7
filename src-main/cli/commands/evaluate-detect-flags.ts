// The --task detect flags of `edgequant evaluate`, parsed into a DetectRequest.
import { resolve } from 'node:path';
import { InputError } from '../../errors';
import type { DetectRequest } from '../../detect/index';
import { parsePositiveInt } from '../command';

export const DETECT_FLAGS = {
  task: { type: 'string' },
  decoder: { type: 'string' },
  classes: { type: 'string' },
  score: { type: 'string' },
  iou: { type: 'string' },
  'max-detections': { type: 'string' },
  'box-scale': { type: 'string' },
} as const;

type DetectValues = { decoder?: string | undefined; labels?: string | undefined; classes?: string | undefined; score?: string | undefined; iou?: string | undefined; 'max-detections'?: string | undefined; 'box-scale'?: string | undefined };

function fraction(flag: string, text: string): number {
  const x = Number(text);
  if (!Number.isFinite(x) || x < 0 || x > 1) throw new InputError(`${flag} must be a number from 0 to 1 (got '${text}').`);
  return x;
}

const DECODERS = ['yolov8', 'nanodet', 'ssd', 'auto'] as const;
const BOX_SCALES = ['pixels', 'normalized', 'auto'] as const;

export function detectRequest(values: DetectValues, cwd: string): DetectRequest {
  const decoder = values.decoder ?? 'auto';
  if (!(DECODERS as readonly string[]).includes(decoder)) throw new InputError(`--decoder must be ${DECODERS.join('|')} (got '${decoder}').`);
  const boxScale = values['box-scale'];
  if (boxScale !== undefined && !(BOX_SCALES as readonly string[]).includes(boxScale)) throw new InputError(`--box-scale must be ${BOX_SCALES.join('|')} (got '${boxScale}').`);
  return {
    decoder: decoder as DetectRequest['decoder'] & string,
    ...(values.labels ? { labels: resolve(cwd, values.labels) } : {}),
    ...(values.classes ? { classes: resolve(cwd, values.classes) } : {}),
    ...(values.score !== undefined ? { scoreThreshold: fraction('--score', values.score) } : {}),
    ...(values.iou !== undefined ? { iouThreshold: fraction('--iou', values.iou) } : {}),
    ...(values['max-detections'] !== undefined ? { maxDetections: parsePositiveInt('--max-detections', values['max-detections'], 100) } : {}),
    ...(boxScale ? { boxScale: boxScale as (typeof BOX_SCALES)[number] } : {}),
  };
}

/** The first detect-only flag given without --task detect, if any. */
export function detectOnly(values: DetectValues): string | undefined {
  const flags = ['decoder', 'classes', 'score', 'iou', 'max-detections', 'box-scale'] as const;
  const given = flags.find((f) => values[f] !== undefined);
  return given ? `--${given}` : undefined;
}
