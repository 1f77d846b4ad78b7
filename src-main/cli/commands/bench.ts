// `edgequant bench MODEL.tflite [--device NAME|local]`: latency on the board in its own TFLite
// runtime; with --input, the board's outputs compared with the desktop's.
import { resolve } from 'node:path';
import { boardFolderOf } from '../../devices/index';
import { parseCommandArgs, parsePositiveInt, printJson, type Command } from '../command';
import { InputError } from '../../errors';
import type { BenchResult } from '../../devices/index';
import { cliDeviceService } from './device';

const USAGE = `Usage: edgequant bench MODEL.tflite [--device NAME|local] [--runs N] [--warmup N] [--threads N]
                       [--input X.npy ...] [--project NAME|DIR] [--json]

Deploys the model (skipped when the board has it), runs warm-up + N timed invocations with the
board's best TFLite runtime and reports init time, latency percentiles and peak RSS.
--input X.npy ([N, ...input shape], float data is quantized with the input's parameters) runs
real samples and compares the board's outputs with the same model run on this computer
(top-1 agreement and SQNR). --device defaults to 'local' (this computer).`;

function formatBench(r: BenchResult): string {
  const l = r.latencyMs;
  const lines = [
    `${r.device} (${r.transport}): ${r.runtime.name} ${r.runtime.version ?? ''}, ${r.threads} thread(s), ${r.runs} runs after ${r.warmup} warm-up`,
    `  init ${r.initMs.toFixed(1)} ms; latency ms: min ${l.min} p50 ${l.p50} p90 ${l.p90} p99 ${l.p99} mean ${l.mean} max ${l.max}`,
    `  peak RSS ${r.peakRssMb ?? '?'} MB; temperature ${r.temperatureC.before ?? 'n/a'} → ${r.temperatureC.after ?? 'n/a'} °C`,
  ];
  if (r.comparison) {
    const c = r.comparison;
    lines.push(
      `  vs this computer (${c.localRuntime.name} ${c.localRuntime.version ?? ''}) on ${c.samples} samples: top-1 agreement ${(c.top1Agreement * 100).toFixed(1)}%, ` +
        `SQNR ${c.sqnrDb === null ? 'identical outputs' : `${c.sqnrDb} dB`}`,
    );
  }
  return lines.join('\n') + '\n';
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'Benchmark a .tflite model on a board or this computer',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('bench', argv, {
      device: { type: 'string', default: 'local' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      threads: { type: 'string' },
      input: { type: 'string', multiple: true },
      project: { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    if (positionals.length !== 1) throw new InputError(`bench needs one MODEL.tflite (see 'edgequant bench --help').`);
    const runs = parsePositiveInt('--runs', values.runs, 50);
    const warmup = values.warmup === '0' ? 0 : parsePositiveInt('--warmup', values.warmup, 5);
    const threads = parsePositiveInt('--threads', values.threads, 1);
    const modelPath = resolve(io.cwd, positionals[0]!);
    const inputs = (values.input ?? []).map((p) => resolve(io.cwd, p));
    const result = await cliDeviceService(io).bench(values.device, modelPath, { runs, warmup, threads, inputs, project: boardFolderOf(values.project) });
    if (values.json) printJson(io, result);
    else io.stdout(formatBench(result));
    return 0;
  },
};
