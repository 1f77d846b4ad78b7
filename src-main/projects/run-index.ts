// runs/index.json: summaries of every run so the history lists 1,000 runs without parsing
// 1,000 files. It is only a cache: each listing checks it against the run folders (one stat
// per run) and re-reads run.json files that are new or changed; a missing or corrupt index is
// rebuilt. Writes happen under the index lock so concurrent writers never lose an entry.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readJson, writeJsonAtomic } from './atomic-json';
import { withLock } from './lock';
import { INDEX_FILE, PROJECT_SCHEMA, RUN_FILE, RUNS_DIR, type RunIndex, type RunRecord, type RunSummary } from './types';

const indexPath = (root: string) => join(root, RUNS_DIR, INDEX_FILE);
export const indexLock = (root: string) => join(root, RUNS_DIR, '.index.lock');

export function summarize(run: RunRecord): RunSummary {
  const latency: Record<string, number> = {};
  for (const r of run.deviceResults) {
    const p50 = r.latencyMs?.p50;
    if (typeof p50 === 'number' && (latency[r.device] === undefined || p50 < latency[r.device]!)) latency[r.device] = p50;
  }
  const request = run.config.request;
  const summary: RunSummary = {
    id: run.id,
    status: run.status,
    startedAt: run.startedAt,
    kind: run.config.kind,
    metrics: { ...run.metrics },
    devices: [...new Set(run.deviceResults.map((r) => r.device))],
    latencyP50Ms: latency,
  };
  if (run.label) summary.label = run.label;
  if (run.finishedAt) summary.finishedAt = run.finishedAt;
  if (run.durationMs !== undefined) summary.durationMs = run.durationMs;
  const model = request?.model ?? run.inputs.model?.path;
  if (model) summary.model = basename(model);
  if (request?.quantize) summary.mode = request.quantize.mode;
  if (run.error) summary.error = run.error.message;
  return summary;
}

export function listRunIdsOnDisk(root: string): string[] {
  const runs = join(root, RUNS_DIR);
  if (!existsSync(runs)) return [];
  return readdirSync(runs, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name);
}

/** Identifies one version of run.json: atomic writes replace the inode, so any change shows. */
function stampOf(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function loadIndex(root: string): RunIndex {
  try {
    const index = JSON.parse(readFileSync(indexPath(root), 'utf8')) as RunIndex;
    if (index.schema === PROJECT_SCHEMA && index.runs && typeof index.runs === 'object') return index;
  } catch (error) {
    // Missing or unreadable: it is a cache, so start empty and rebuild from the run records.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
  }
  return { schema: PROJECT_SCHEMA, runs: {} };
}

/** Reads one run into an index entry; an unreadable run.json shows as failed, not as a crash. */
function entryFor(root: string, id: string): (RunSummary & { stamp: string }) | undefined {
  const file = join(root, RUNS_DIR, id, RUN_FILE);
  const stamp = stampOf(file);
  if (stamp === undefined) return undefined; // folder created, run.json not yet written
  try {
    return { ...summarize(readJson<RunRecord>(file, 'Run record')), stamp };
  } catch (error) {
    return { id, status: 'failed', startedAt: '', kind: 'unknown', metrics: {}, devices: [], latencyP50Ms: {}, error: (error as Error).message, stamp };
  }
}

function sorted(index: RunIndex): RunSummary[] {
  return Object.values(index.runs)
    .map(({ stamp: _stamp, ...summary }) => summary)
    .sort((a, b) => {
      const key = (r: RunSummary) => `${r.startedAt}|${r.id}`;
      return key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0;
    });
}

/** The index checked against disk; rewritten only when something changed. */
export function readIndexFresh(root: string): RunSummary[] {
  const index = loadIndex(root);
  const ids = listRunIdsOnDisk(root);
  const stale = ids.filter((id) => index.runs[id]?.stamp !== stampOf(join(root, RUNS_DIR, id, RUN_FILE)));
  const onDisk = new Set(ids);
  const gone = Object.keys(index.runs).filter((id) => !onDisk.has(id));
  if (stale.length === 0 && gone.length === 0) return sorted(index);
  return withLock(indexLock(root), () => {
    const current = loadIndex(root);
    for (const id of gone) delete current.runs[id];
    for (const id of listRunIdsOnDisk(root)) {
      const entry = current.runs[id];
      if (entry && entry.stamp === stampOf(join(root, RUNS_DIR, id, RUN_FILE))) continue;
      const fresh = entryFor(root, id);
      if (fresh) current.runs[id] = fresh;
      else delete current.runs[id];
    }
    writeJsonAtomic(indexPath(root), current);
    return sorted(current);
  });
}

export function updateIndexEntry(root: string, id: string): void {
  withLock(indexLock(root), () => {
    const index = loadIndex(root);
    const entry = entryFor(root, id);
    if (entry) index.runs[id] = entry;
    else delete index.runs[id];
    writeJsonAtomic(indexPath(root), index);
  });
}
