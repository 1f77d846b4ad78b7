// `edgequant search MODEL -o BEST.tflite --calibration … --data … --budget EXPR`: tries the
// quantizations a user would try by hand (and int8 with its most harmful layers kept float),
// measures each on held-out data, and writes the smallest file that meets the budget.
import { resolve } from 'node:path';
import { InputError } from '../../errors';
import { DETECTOR_FIXES } from '../../quantize/detector/apply';
import { CANDIDATE_KINDS, type CandidateKind } from '../../search/candidates';
import { formatSearch, searchQuantization, type SearchDeps } from '../../search/index';
import { parseCommandArgs, parseOneOf, parsePositiveInt, parseShape, printJson, type Command } from '../command';
import { cliDeviceService } from './device';

const USAGE = `Usage: edgequant search MODEL [WEIGHTS.h5] -o BEST.tflite --calibration DIR|FILE.npy|FILE.npz
                        --data DIR|FILE.npy|FILE.npz --budget EXPR [--preprocess …] [--samples N]
                        [--labels FILE.npy] [--candidates fp16,dynamic,int8,int8-gptq,int16x8,int8-mixed]
                        [--max-keep-float N] [--device NAME|local] [--input-shape 1,H,W,C] [--project DIR]
                        [--detector-fix split|head-float|head-int16] [--json]

Searches for the smallest model that meets an accuracy budget on held-out data (--data: never the
calibration samples). Budgets: sqnr>=30 (every output), sqnr[OUTPUT]>=30, agreement>=99% (top-1
agreement with float), accuracy-drop<=1% (needs labels), joined with ',' or 'and'.
Candidates, cheapest first: fp16, dynamic range, int8 (nearest and gptq rounding), int16x8; when no
int8 candidate meets the budget, int8 with the k most harmful layers kept float (ranked by
'edgequant debug' on the calibration data; k doubles until the budget holds, then the smallest k is
found). --project records every candidate as a run of that project. Each candidate is measured in a real TFLite runtime against the float model; latency on
this computer (LiteRT.js) or on a board (--device). Prints every candidate, the Pareto set (size,
latency, budget metric) and writes the recommended file to -o. --samples caps the calibration
samples (default 100).
--detector-fix converts every candidate with that fix (see 'edgequant convert --help'). With
split, each group of a concatenated output is judged on its own too: a budget can name it, e.g.
sqnr[OUTPUT_scores]>=30, and sqnr>=30 holds every group (joined, a detector's box pixels hide
its scores' error).`;

export const searchCommand: Command = {
  name: 'search',
  summary: 'Find the smallest quantized model that meets an accuracy budget',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('search', argv, {
      output: { type: 'string', short: 'o' },
      calibration: { type: 'string' },
      data: { type: 'string' },
      budget: { type: 'string' },
      preprocess: { type: 'string' },
      samples: { type: 'string' },
      labels: { type: 'string' },
      candidates: { type: 'string' },
      'max-keep-float': { type: 'string' },
      device: { type: 'string', default: 'local' },
      'input-shape': { type: 'string' },
      project: { type: 'string' },
      'detector-fix': { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    if (positionals.length < 1 || positionals.length > 2) throw new InputError(`search needs MODEL (and optionally its WEIGHTS.h5) (see 'edgequant search --help').`);
    if (!values.output) throw new InputError('search needs -o BEST.tflite (where the recommended model is written).');
    if (!values.calibration) throw new InputError('search needs --calibration DIR|FILE.npy|FILE.npz (representative inputs for int8 candidates).');
    if (!values.data) throw new InputError('search needs --data DIR|FILE.npy|FILE.npz (held-out samples to judge the candidates on).');
    if (!values.budget) throw new InputError('search needs --budget, e.g. --budget sqnr>=30 or --budget "agreement>=99%".');
    const preprocess = values.preprocess && /\.json$/i.test(values.preprocess) ? resolve(io.cwd, values.preprocess) : values.preprocess;
    let kinds: CandidateKind[] | undefined;
    if (values.candidates) {
      kinds = values.candidates.split(',').map((k) => k.trim()) as CandidateKind[];
      const bad = kinds.filter((k) => !(CANDIDATE_KINDS as readonly string[]).includes(k));
      if (bad.length) throw new InputError(`--candidates: unknown ${bad.join(', ')}; choose from ${CANDIDATE_KINDS.join(', ')}.`);
    }
    const fix = parseOneOf('--detector-fix', values['detector-fix'], DETECTOR_FIXES, 'none');
    const deps: SearchDeps = {};
    if (values.device && values.device !== 'local') {
      const device = values.device;
      const service = cliDeviceService(io);
      deps.benchmark = async (path) => {
        const result = await service.bench(device, path, { runs: 30, warmup: 5, threads: 1 });
        return { latencyMs: result.latencyMs.p50, where: `${result.device} (${result.runtime.name})` };
      };
    }
    const result = await searchQuantization(
      {
        model: resolve(io.cwd, positionals[0]!),
        ...(positionals[1] ? { companions: [resolve(io.cwd, positionals[1])] } : {}),
        output: resolve(io.cwd, values.output),
        calibration: { path: resolve(io.cwd, values.calibration), samples: parsePositiveInt('--samples', values.samples, 100), method: 'minmax', seed: 0, ...(preprocess ? { preprocess } : {}) },
        data: resolve(io.cwd, values.data),
        ...(preprocess ? { preprocess } : {}),
        ...(values.labels ? { labels: resolve(io.cwd, values.labels) } : {}),
        budget: values.budget,
        ...(kinds ? { kinds } : {}),
        ...(values['max-keep-float'] ? { maxKeepFloat: parsePositiveInt('--max-keep-float', values['max-keep-float'], 0) } : {}),
        ...(values['input-shape'] ? { inputShape: parseShape('--input-shape', values['input-shape']) } : {}),
        ...(values.project ? { project: resolve(io.cwd, values.project) } : {}),
        ...(fix !== 'none' ? { detectorFix: fix } : {}),
      },
      {
        deps,
        onProgress: (p) => io.stderr(`[${p.done}/${p.total}] ${p.stage}${p.etaMs ? ` (about ${Math.round(p.etaMs / 1000)} s left)` : ''}\n`),
      },
    );
    if (values.json) printJson(io, result);
    else io.stdout(formatSearch(result));
    return result.recommended ? 0 : 1;
  },
};
