// Errors as the UI shows them: the engine and the API speak in CLI flags and request-field paths
// ("jobs.start: params.request.quantize.calibration.samples: …", "--preprocess"); the window
// names its own fields instead.
import { ApiError } from './api';

/** Request fields (last path segment) → the label of the field the user filled. */
const FIELDS: Record<string, string> = {
  dir: 'Folder',
  path: 'Path',
  model: 'Model',
  calibration: 'Calibration data',
  preprocess: 'Preprocessing',
  samples: 'Samples',
  evaluateData: 'Validation data',
  evaluateLabels: 'Labels',
  label: 'Run label',
  inputType: 'Input type',
  outputType: 'Output type',
  runs: 'Runs',
  device: 'Device',
  name: 'Name',
};

/** CLI phrases → what the window calls the same thing. */
const PHRASES: [RegExp, string][] = [
  [/run '?edgequant project init[^']*'?/g, 'create a project on the Projects page'],
  [/--quantize (none|fp16|dynamic|int8|int16x8)/g, 'mode $1'],
  [/--calibration DIR\|FILE\.npy\|FILE\.npz/g, 'calibration data (a folder of images, a .npy or a .npz)'],
  [/--calibration/g, 'calibration data'],
  [/--preprocess/g, 'Preprocessing'],
  [/--samples/g, 'Samples'],
  [/--input-shape/g, 'the input shape'],
  [/--weight-rounding/g, 'Weight rounding'],
  [/--unroll-rnn/g, 'Unroll LSTM layers'],
  [/--labels/g, 'Labels'],
  [/--recipe/g, 'the recipe'],
  [/--budget '([^']*)'/g, "Budget '$1'"],
  [/--budget/g, 'the budget'],
  [/--data/g, 'the held-out data'],
];

export function humanError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ApiError && error.code === 'BAD_REQUEST') {
    // "<channel>: a.b.c: problem." → "<Field>: problem."
    const match = /^[a-z]+\.[A-Za-z]+: (?:([\w.]+): )?(.*)$/.exec(message);
    if (match) {
      const key = match[1]?.split('.').filter((k) => !/^\d+$/.test(k)).pop();
      const field = key ? (FIELDS[key] ?? key) : null;
      return field ? `${field}: ${match[2]}` : match[2]!;
    }
  }
  return PHRASES.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), message);
}
