// Quantize page state: the chosen model, mode, calibration and I/O types; the running job;
// the finished run shown as results. One instance for the app's lifetime (`quantizeState`), so
// leaving the page and coming back keeps the form, the running job and the last result.
import { humanError } from '../../lib/human-error';
import { api } from '../../lib/api';
import type { IoType, QuantizeMode, WeightRounding } from '../../../src-main/convert/types';
import type { CalibrationPreview } from '../../../src-main/projects/api-contract';
import type { RunRecord } from '../../../src-main/projects/types';
import { currentProject } from '../projects/current.svelte';
import { JobState } from '../projects/job.svelte';
import { BIAS_CORRECTION_BY_DEFAULT, MODES } from './modes';
import { DetectTaskState } from '../detect/task.svelte';

/** Share of the calibration data held out for validation when no validation data is given. */
export const HOLD_OUT = 0.2;

export class QuantizeState {
  /** The model to quantize: one of the project's models (absolute path), picked on this page. */
  model = $state<string | null>(null);
  #modelProject: string | null = null;
  mode = $state<QuantizeMode>('int8');
  calibration = $state('');
  preprocess = $state('0..1');
  samples = $state(100);
  inputType = $state<IoType>('float32');
  outputType = $state<IoType>('float32');
  /** `gptq` chooses the stored weights layer by layer on the calibration data (any mode). */
  weightRounding = $state<WeightRounding>('nearest');
  /** Bias correction after nearest rounding to int8 weights (default as the CLI's). */
  biasCorrection = $state(BIAS_CORRECTION_BY_DEFAULT);
  /** Lower LSTM layers step by step (no variable tensors: LiteRT.js and delegates can run them). */
  unrollRnn = $state(false);
  evaluateData = $state('');
  evaluateLabels = $state('');
  label = $state('');
  /** Classification, detection or auto (the detector settings live in their own state). */
  task = new DetectTaskState();
  preview = $state<CalibrationPreview | null>(null);
  /** The model's first input shape (NHWC), so the preview is resized as the quantizer will. */
  inputShape = $state<number[] | null>(null);
  #shapeOf: string | null = null;
  #shapeLoad: Promise<void> = Promise.resolve();
  previewError = $state<string | null>(null);
  job = new JobState<RunRecord>();
  run = $state<RunRecord | null>(null);
  modeInfo = $derived(MODES.find((m) => m.mode === this.mode)!);
  /** Bias correction applies: int8 weights (dynamic, int8, int16x8) rounded to nearest. */
  biasApplies = $derived(this.mode !== 'fp16' && this.weightRounding === 'nearest');
  /** Calibration data is used: the mode needs ranges, gptq rounding or bias correction needs samples. */
  needsData = $derived(this.modeInfo.needsCalibration || this.weightRounding === 'gptq' || (this.biasApplies && this.biasCorrection));
  /** Validation falls back to a held-out share of the calibration data. */
  holdsOut = $derived(!this.evaluateData.trim() && this.needsData && !!this.calibration.trim());
  /** Dynamic range runs without data; its bias correction then does not run (as on the CLI). */
  canRun = $derived(!!currentProject.dir && !!this.model && !this.job.running && (!(this.modeInfo.needsCalibration || this.weightRounding === 'gptq') || !!this.calibration.trim()));

  /**
   * Defaults from the project: its first model and calibration set. Validation data stays the
   * user's choice (the demo's first set is a labelled folder, so its held-out share has labels).
   */
  fillFromProject(): void {
    const view = currentProject.view;
    if (!view) return;
    const paths = view.manifest.models.map((m) => currentProject.resolve(m.path));
    // A new project, or a model that left it: start from its first model.
    if (this.#modelProject !== view.dir || !this.model || !paths.includes(this.model)) {
      this.#modelProject = view.dir;
      this.model = paths[0] ?? null;
    }
    const set = view.manifest.calibrationSets[0];
    if (set && !this.calibration) {
      this.calibration = currentProject.resolve(set.path);
      if (set.preprocess) this.preprocess = set.preprocess;
    }
  }

  loadInputShape(model: string): Promise<void> {
    if (this.#shapeOf !== model) {
      this.#shapeOf = model;
      this.#shapeLoad = this.#fetchInputShape(model);
    }
    return this.#shapeLoad;
  }

  async #fetchInputShape(model: string): Promise<void> {
    try {
      const summary = await api.models.inspect({ path: model });
      const shape = summary.inputs[0]?.shape;
      this.inputShape = shape && shape.length === 4 ? shape.map((d) => (d > 0 ? d : 1)) : null;
    } catch {
      this.inputShape = null; // the preview then keeps the image size; the job reports model errors
    }
  }

  async loadPreview(): Promise<void> {
    this.previewError = null;
    await this.#shapeLoad;
    const shape = this.inputShape;
    try {
      this.preview = await api.calibration.preview({ path: this.calibration.trim(), preprocess: this.preprocess, ...(shape ? { shape } : {}) });
    } catch (error) {
      this.preview = null;
      this.previewError = humanError(error);
    }
  }

  async start(): Promise<void> {
    const dir = currentProject.dir;
    const model = this.model;
    if (!dir || !model) return;
    this.run = null;
    const calibrated = this.needsData && this.calibration.trim();
    await this.job.start(
      {
        kind: 'project-convert',
        params: {
          project: dir,
          request: {
            model,
            // The job writes the .tflite into the run folder; this path is only a placeholder.
            output: `${dir}/runs/output.tflite`,
            ...(this.unrollRnn ? { unrollRnn: true } : {}),
            ...this.task.requestFix(),
            quantize: {
              mode: this.mode,
              inputType: this.mode === 'int8' ? this.inputType : 'float32',
              outputType: this.mode === 'int8' ? this.outputType : 'float32',
              int8Only: false,
              weightRounding: this.weightRounding,
              ...(this.biasApplies ? { biasCorrection: this.biasCorrection } : {}),
              ...(calibrated ? { calibration: { path: this.calibration.trim(), preprocess: this.preprocess, samples: this.samples, method: 'minmax' as const, seed: 0, ...(this.holdsOut ? { holdOut: HOLD_OUT } : {}) } } : {}),
            },
          },
          ...(this.label.trim() ? { label: this.label.trim() } : {}),
          ...(this.evaluateData.trim() ? { evaluateData: this.evaluateData.trim() } : {}),
          ...(this.evaluateLabels.trim() ? { evaluateLabels: this.evaluateLabels.trim() } : {}),
          benchRuns: 30,
          ...this.task.params(),
        },
      },
      (run) => {
        this.run = run;
        void currentProject.refresh();
      },
    );
  }
}

export const quantizeState = new QuantizeState();
