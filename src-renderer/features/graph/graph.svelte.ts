// The Graph view's state: what it shows (a run: its source model beside its .tflite; a model:
// as imported beside converted, or beside another file to compare with), the per-layer overlay
// of a run, search across both panes and the selection synced between them by tensor name.
import { api } from '../../lib/api';
import { humanError } from '../../lib/human-error';
import type { RunRecord } from '../../../src-main/projects/types';
import type { DebugReport } from '../../../src-main/debug/types';
import { currentProject } from '../projects/current.svelte';
import { figuresFromDebug, figuresFromRun, type LayerFigures } from './overlay';
import { GraphPane, type PaneSource } from './pane.svelte';

export type GraphTarget = { kind: 'run'; id: string } | { kind: 'model'; path: string; compare?: string };

/** `run/<id>` or `model/<path>` (the part of `#/graph/…` after the page id). */
export function parseTarget(argument: string): GraphTarget | null {
  const slash = argument.indexOf('/');
  const kind = argument.slice(0, slash);
  const rest = argument.slice(slash + 1);
  if (slash < 0 || !rest) return null;
  if (kind === 'run') return { kind: 'run', id: rest };
  if (kind === 'model') return { kind: 'model', path: rest };
  return null;
}

const fileName = (path: string) => path.split(/[\\/]/).pop() ?? path;
const isTflite = (path: string) => path.toLowerCase().endsWith('.tflite');

export class GraphPageState {
  target = $state<GraphTarget | null>(null);
  panes = [new GraphPane(), new GraphPane()];
  paneCount = $state(1);
  run = $state.raw<RunRecord | null>(null);
  figures = $state.raw<LayerFigures | null>(null);
  overlay = $state(true);
  error = $state<string | null>(null);
  /** Why the overlay is not the debugger's although the run has a report (it could not be read). */
  notice = $state<string | null>(null);
  query = $state('');
  /** Which pane the properties panel shows. */
  active = $state(0);
  #cursor = -1;

  visible = $derived(this.panes.slice(0, this.paneCount));
  matchCount = $derived(this.visible.reduce((n, p) => n + p.matches(this.query).length, 0));

  /** The same target as shown (coming back to the page): keep panes, selection and search. */
  isShowing(target: GraphTarget | null): boolean {
    const same = target?.kind === 'run' ? this.target?.kind === 'run' && this.target.id === target.id : target?.kind === 'model' && this.target?.kind === 'model' && this.target.path === target.path;
    return same && !this.error && this.visible.every((p) => p.view || p.loading);
  }

  /** A run's figures again (it may have been debugged meanwhile), on the panes as they are. */
  async refreshFigures(): Promise<void> {
    const dir = currentProject.dir;
    if (this.target?.kind !== 'run' || !dir) return;
    try {
      const debug = await this.#debugReport(dir, this.target.id);
      this.figures = (debug ? figuresFromDebug(debug) : null) ?? (this.run ? figuresFromRun(this.run) : null);
      for (const pane of this.visible) pane.setFigures(this.figures);
    } catch (error) {
      this.error = humanError(error);
    }
  }

  async open(target: GraphTarget | null): Promise<void> {
    this.target = target;
    // Nothing of the previous target stays on screen while this one's run record and graphs load.
    for (const pane of this.panes) pane.clear();
    this.error = null;
    this.run = null;
    this.figures = null;
    this.notice = null;
    this.query = '';
    this.#cursor = -1;
    if (!target) return void (this.error = 'Nothing to show: open the Graph view from a run or from Models.');
    if (target.kind === 'model') return this.#openModel(target);
    const dir = currentProject.dir;
    if (!dir) return void (this.error = 'Open the project of this run first.');
    try {
      const [run, debug] = await Promise.all([api.projects.run({ dir, id: target.id }), this.#debugReport(dir, target.id)]);
      this.run = run;
      this.figures = (debug ? figuresFromDebug(debug) : null) ?? figuresFromRun(run);
      const model = run.inputs.model?.path;
      const tflite = run.artifacts.find((a) => a.kind === 'tflite');
      if (!model || !tflite) return void (this.error = 'This run has no source model or no .tflite to show.');
      const file = [dir, 'runs', run.id, tflite.name].join('/');
      const companions = run.config.request?.companions;
      const left: PaneSource = { title: `Float: ${fileName(model)}`, path: currentProject.resolve(model), stage: 'converted', canChangeStage: !isTflite(model), ...(companions ? { companions } : {}) };
      const right: PaneSource = { title: `${run.config.request?.quantize.mode ?? 'converted'}: ${tflite.name}`, path: file, stage: 'converted', canChangeStage: false };
      this.paneCount = 2;
      await Promise.all([this.panes[0]!.load(left, this.figures), this.panes[1]!.load(right, this.figures)]);
    } catch (error) {
      this.error = humanError(error);
    }
  }

  /** The run's debug report (null when never debugged); one that cannot be read is said, not fatal. */
  async #debugReport(dir: string, id: string): Promise<DebugReport | null> {
    this.notice = null;
    try {
      return await api.projects.debugReport({ dir, id });
    } catch (error) {
      this.notice = `The run's debug report could not be read (${humanError(error)}); the colours show the run's own per-layer SQNR.`;
      return null;
    }
  }

  async #openModel(target: Extract<GraphTarget, { kind: 'model' }>): Promise<void> {
    const tflite = isTflite(target.path);
    const left: PaneSource = { title: fileName(target.path), path: target.path, stage: tflite ? 'converted' : 'source', canChangeStage: !tflite };
    const compare = target.compare?.trim();
    const right: PaneSource | null = compare
      ? { title: fileName(compare), path: compare, stage: 'converted', canChangeStage: !isTflite(compare) }
      : tflite
        ? null
        : { title: `${fileName(target.path)}, converted`, path: target.path, stage: 'converted', canChangeStage: true };
    this.paneCount = right ? 2 : 1;
    await Promise.all([this.panes[0]!.load(left, null), right ? this.panes[1]!.load(right, null) : Promise.resolve()]);
  }

  /** Put another file in the second pane (e.g. the quantized .tflite beside the float one). */
  compareWith(path: string): Promise<void> {
    if (this.target?.kind !== 'model') return Promise.resolve();
    return this.open({ ...this.target, compare: path });
  }

  setStage(pane: number, stage: PaneSource['stage']): Promise<void> {
    const p = this.panes[pane]!;
    return p.load({ ...p.source, stage }, this.figures);
  }

  /** Select a node and the node computing the same tensor in the other pane. */
  select(pane: number, node: number, centre = false): void {
    this.active = pane;
    const from = this.panes[pane]!;
    from.select(node, centre);
    this.visible.forEach((other, i) => {
      if (i === pane || !from.view) return;
      other.select(other.counterpart(from.view, node), true);
    });
  }

  /** Jump to the next node whose name or op contains the query (across the panes, in order). */
  next(): void {
    const all = this.visible.flatMap((p, pane) => p.matches(this.query).map((node) => ({ pane, node })));
    if (!all.length) return;
    this.#cursor = (this.#cursor + 1) % all.length;
    const hit = all[this.#cursor]!;
    this.select(hit.pane, hit.node, true);
  }
}

/** One per window: leaving the page and coming back keeps what it showed. */
export const graphPage = new GraphPageState();
