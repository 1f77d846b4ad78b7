// The Quantize form's task: judge the run as a classifier, as a detector, or let the model's
// output shapes decide (auto). Detection takes a decoder, and optionally YOLO txt labels and a
// class names file. Kept apart from the quantize state so the form's other options stay separate.
import type { ProjectConvertParams } from '../../../src-main/projects/api-contract';
import type { DetectorFix } from '../../../src-main/quantize/detector/apply';

export type Task = NonNullable<ProjectConvertParams['task']>;
export type DecoderChoice = NonNullable<NonNullable<ProjectConvertParams['detect']>['decoder']>;

export const TASKS: { value: Task; title: string }[] = [
  { value: 'auto', title: 'Auto: detection when the outputs are a detector head' },
  { value: 'classify', title: 'Classification (or any other model)' },
  { value: 'detect', title: 'Object detection' },
];

export const DECODERS: { value: DecoderChoice; title: string }[] = [
  { value: 'auto', title: 'Recognise from the output shapes' },
  { value: 'yolov8', title: 'YOLOv8 (one output [1, 4+C, N])' },
  { value: 'nanodet', title: 'NanoDet (scores + box bins per level)' },
  { value: 'ssd', title: 'SSD (boxes [1, N, 4] + scores)' },
];

/** 'measure': no fix chosen, so the conversion measures every fix and recommends one (the CLI without --detector-fix). */
export type FixChoice = DetectorFix | 'measure';

export const FIX_CHOICES: { value: FixChoice; title: string }[] = [
  { value: 'measure', title: 'Measure every fix and recommend one (the file keeps its outputs)' },
  { value: 'split', title: 'Split: boxes and scores as separate outputs, each with its own scale' },
  { value: 'head-int16', title: 'Head in int16 (int16x8 ops from the head on)' },
  { value: 'head-float', title: 'Head in float' },
  { value: 'none', title: 'None (nothing measured)' },
];

/** The fixes themselves, without measuring (the Search page applies one to every candidate). */
export const APPLIED_FIXES = FIX_CHOICES.filter((c): c is { value: DetectorFix; title: string } => c.value !== 'measure');

export class DetectTaskState {
  task = $state<Task>('auto');
  decoder = $state<DecoderChoice>('auto');
  labels = $state('');
  classes = $state('');
  /** A detector's quantization fix (mixed-range outputs, DFL heads): src-main/quantize/detector. */
  fix = $state<FixChoice>('measure');
  /** The detector settings apply (auto may still find no detector head). */
  detecting = $derived(this.task !== 'classify');

  /** The conversion request's fix for this choice (nothing when measuring or not a detector). */
  requestFix(): { detectorFix?: DetectorFix } {
    return this.detecting && this.fix !== 'measure' ? { detectorFix: this.fix } : {};
  }

  /** The job parameters for this choice (nothing for the defaults). */
  params(): Pick<ProjectConvertParams, 'task' | 'detect'> {
    if (this.task === 'classify') return { task: 'classify' };
    const detect = {
      ...(this.decoder !== 'auto' ? { decoder: this.decoder } : {}),
      ...(this.labels.trim() ? { labels: this.labels.trim() } : {}),
      ...(this.classes.trim() ? { classes: this.classes.trim() } : {}),
    };
    return { ...(this.task !== 'auto' ? { task: this.task } : {}), ...(Object.keys(detect).length ? { detect } : {}) };
  }
}
