// `edgequant project init DIR [--name NAME]`, `project runs DIR [--json]`, `project show DIR RUN_ID`.
import { resolve } from 'node:path';
import { InputError } from '../../errors';
import { parseCommandArgs, printJson, type CliIO, type Command } from '../command';
import { initProject, listRuns, openProject, readRun, type RunSummary } from '../../projects/index';

const usage = `Usage:
  edgequant project init DIR [--name NAME]     create a project folder (manifest + runs/)
  edgequant project runs DIR [--json]          list the runs, newest first
  edgequant project show DIR RUN_ID            print one run record (JSON)

A project keeps every conversion made with 'edgequant convert ... --project DIR': the full
configuration, sha256 of the model and calibration data, metrics, artifacts and device results.
Opening or listing a project marks runs whose process died (crash, kill) as failed.`;

const fmt = (n: number | null | undefined, digits = 1) => (typeof n === 'number' ? n.toFixed(digits) : '-');

function table(runs: RunSummary[]): string {
  const rows = runs.map((r) => [
    r.id,
    r.status,
    r.mode ?? r.kind,
    r.model ?? '-',
    typeof r.metrics.sizeBytes === 'number' ? `${fmt(r.metrics.sizeBytes / 1024)} KiB` : '-',
    typeof r.metrics.accuracy === 'number' ? `${fmt(r.metrics.accuracy * 100, 2)}%` : '-',
    Object.entries(r.latencyP50Ms).map(([d, ms]) => `${d} ${fmt(ms, ms < 1 ? 3 : 2)} ms`).join(', ') || '-',
  ]);
  const head = ['ID', 'STATUS', 'MODE', 'MODEL', 'SIZE', 'ACCURACY', 'LATENCY p50'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('project', argv, {
    json: { type: 'boolean' },
    name: { type: 'string' },
  });
  const [sub, dirArg, runId] = positionals;
  if (!sub || !dirArg) throw new InputError(`project: expected a subcommand and a folder, e.g. 'edgequant project init my-project'.`);
  const dir = resolve(io.cwd, dirArg);
  switch (sub) {
    case 'init': {
      const project = initProject(dir, values.name);
      if (values.json) printJson(io, project);
      else io.stdout(`Created project '${project.manifest.name}' in ${project.dir}\n`);
      return 0;
    }
    case 'runs': {
      const opened = openProject(dir);
      const runs = listRuns(dir);
      if (values.json) printJson(io, { project: opened.manifest.name, dir: opened.dir, runs });
      else {
        for (const r of opened.recovered) io.stderr(`Marked interrupted run ${r.id} as failed.\n`);
        io.stdout(runs.length ? table(runs) : `No runs yet in ${opened.dir}; record one with 'edgequant convert MODEL -o OUT.tflite --project ${dirArg}'.\n`);
      }
      return 0;
    }
    case 'show': {
      if (!runId) throw new InputError(`project show: expected a run id, e.g. 'edgequant project show ${dirArg} <RUN_ID>'.`);
      openProject(dir);
      printJson(io, readRun(dir, runId));
      return 0;
    }
    default:
      throw new InputError(`project: unknown subcommand '${sub}'; use init, runs or show.`);
  }
}

export const projectCommand: Command = { name: 'project', summary: 'Create a project and list its run history', usage, run };
