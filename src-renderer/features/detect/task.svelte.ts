// The Quantize form's task: judge the run as a classifier, as a detector, or let the model's
// output shapes decide (auto). Detection takes a decoder, and optionally YOLO txt labels and a
// class names file. Kept apart from the quantize state so the form's other options stay separate.
import type { ProjectConvertParams } from '../../../src-main/projects/api-contract';

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

export class DetectTaskState {
  task = $state<Task>('auto');
  decoder = $state<DecoderChoice>('auto');
  labels = $state('');
  classes = $state('');
  /** The detector settings apply (auto may still find no detector head). */
  detecting = $derived(this.task !== 'classify');

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
