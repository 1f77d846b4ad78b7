// Importer fuzz: seeded mutations of real model files of every importer and of calibration data,
// run through inspect/convert (calibration reading for .npy/.npz) in worker threads with a
// per-case timeout. Prints one JSON line per format
//   {"target":"<format>","tried":…,"clean":…,"crashes":…,"hangs":…,"untyped":…}
// and exits 1 when any case crashed, hung or ended in an untyped error.
//   node --import tsx fuzz/importers.fuzz.ts [--iterations N] [--first I] [--seed S] [--format F] [--timeout MS]
//     [--jobs J] [--verbose] [--keep DIR]   (--keep saves each failing case's files)
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '../src-main/seeded-random';
import { FORMATS, seedsFor, type Format, type Seed } from './importer-seeds';
import { mutateBytes, mutateJson, pick, type Mutation, type Rng } from './mutate';
import { mutateZipMember } from './mutate-zip';
import { WorkerPool } from './worker-pool';
import { verdict } from './importer-verdict';

export interface FormatSummary {
  target: string;
  tried: number;
  clean: number;
  crashes: number;
  hangs: number;
  untyped: number;
  skipped?: string;
}

export interface FuzzOptions {
  iterations: number;
  /** Index of the first case (default 0): replays one case of a long run without the ones before it. */
  first?: number;
  seed: number;
  formats: Format[];
  timeoutMs: number;
  jobs: number;
  /** Every failing case: format, case index, mutation and message (for --verbose and tests). */
  onFailure?: (failure: { format: string; index: number; seed: string; how: string; kind: string; message: string }) => void;
  keep?: string;
}

/** One mutation of one of the seed's files; JSON files get JSON-aware swaps most of the time. */
function mutate(seed: Seed, rng: Rng): { file: string; bytes: Uint8Array; how: string } {
  const file = pick(rng, seed.mutable);
  const original = new Uint8Array(readFileSync(seed.files[file]!));
  let m: Mutation<Uint8Array> | undefined;
  if (file.endsWith('.json') && rng() < 0.7) {
    const json = mutateJson(new TextDecoder().decode(original), rng);
    if (json) m = { value: new TextEncoder().encode(json.value), how: json.how };
  }
  if (!m && /\.(keras|npz)$/.test(file) && rng() < 0.6) m = mutateZipMember(original, rng);
  m ??= mutateBytes(original, rng);
  return { file, bytes: m.value, how: `${file}: ${m.how}` };
}

/** Writes the case folder: the mutated file, links to the untouched ones. */
function materialize(dir: string, seed: Seed, mutated: { file: string; bytes: Uint8Array }): void {
  for (const [relative, source] of Object.entries(seed.files)) {
    const target = join(dir, relative);
    mkdirSync(dirname(target), { recursive: true });
    if (relative === mutated.file) writeFileSync(target, mutated.bytes);
    else symlinkSync(source, target);
  }
}

export async function fuzzImporters(options: FuzzOptions): Promise<FormatSummary[]> {
  const work = mkdtempSync(join(tmpdir(), 'edgequant-fuzz-'));
  const pool = new WorkerPool(new URL('./importer-case.ts', import.meta.url), options.jobs, options.timeoutMs);
  const summaries: FormatSummary[] = [];
  try {
    for (const format of options.formats) {
      const seeds = await seedsFor(format, join(work, 'seeds', format));
      const summary: FormatSummary = { target: format, tried: 0, clean: 0, crashes: 0, hangs: 0, untyped: 0 };
      summaries.push(summary);
      if (seeds.length === 0) {
        summary.skipped = 'no seed files (../shared/fixtures absent)';
        continue;
      }
      const cases = Array.from({ length: options.iterations }, (_, i) => (options.first ?? 0) + i);
      await pool.each(cases, async (index, run) => {
        // Each case has its own generator, so `--seed S` reproduces case k alone.
        const rng = seededRandom((options.seed * 1_000_003 + index * 7919 + format.length) >>> 0);
        const seed = seeds[index % seeds.length]!;
        const mutated = mutate(seed, rng);
        const dir = join(work, `${format}-${index}`);
        materialize(dir, seed, mutated);
        const path = seed.main === '.' ? dir : join(dir, seed.main);
        const outcome = await run({ path, ...(seed.input ? { input: seed.input } : { ...(index % 4 === 0 ? { convertTo: join(dir, 'out.tflite') } : {}) }) });
        summary.tried++;
        let kind: string;
        let message = '';
        if (outcome.kind === 'reply') {
          const v = verdict(outcome.reply, dir, Object.keys(seed.files));
          if (v.clean) summary.clean++;
          else summary.untyped++;
          kind = v.clean ? 'clean' : `untyped (${v.reason})`;
          message = outcome.reply.message ?? '';
        } else {
          if (outcome.kind === 'hang') summary.hangs++;
          else summary.crashes++;
          kind = outcome.kind;
          message = outcome.detail;
        }
        if (kind !== 'clean') {
          options.onFailure?.({ format, index, seed: seed.name, how: mutated.how, kind, message: message.slice(0, 400) });
          if (options.keep) cpSync(dir, join(options.keep, `${format}-${index}`), { recursive: true, dereference: true });
        }
        rmSync(dir, { recursive: true, force: true });
      });
    }
  } finally {
    await pool.close();
    rmSync(work, { recursive: true, force: true });
  }
  return summaries;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      iterations: { type: 'string', default: '200' },
      first: { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      format: { type: 'string', multiple: true },
      timeout: { type: 'string', default: '30000' },
      jobs: { type: 'string', default: '1' },
      verbose: { type: 'boolean', default: false },
      keep: { type: 'string' },
    },
  });
  const formats = (values.format?.length ? values.format : [...FORMATS]) as Format[];
  const unknown = formats.filter((f) => !FORMATS.includes(f));
  if (unknown.length) {
    console.error(`Unknown format ${unknown.join(', ')}; one of ${FORMATS.join(', ')}.`);
    process.exit(2);
  }
  const summaries = await fuzzImporters({
    iterations: Number(values.iterations),
    first: Number(values.first),
    seed: Number(values.seed),
    formats,
    timeoutMs: Number(values.timeout),
    jobs: Number(values.jobs),
    ...(values.keep ? { keep: values.keep } : {}),
    ...(values.verbose ? { onFailure: (f) => console.error(JSON.stringify(f)) } : {}),
  });
  for (const s of summaries) console.log(JSON.stringify(s));
  process.exitCode = summaries.some((s) => s.crashes + s.hangs + s.untyped > 0) ? 1 : 0;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!)) await main();
