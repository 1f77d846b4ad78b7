// One pane of the Graph view: which model (path, stage), its graph from the engine, the layout,
// the overlay figures, and which node is selected (a request to centre on it carries a sequence
// number so the same node can be re-centred).
import { api } from '../../lib/api';
import { humanError } from '../../lib/human-error';
import type { GraphStage, GraphView } from '../../../src-main/graph-view/types';
import { layoutGraph, type GraphLayout } from './layout';
import { NO_FIGURES, nodeFigures, tensorProducers, type LayerFigures } from './overlay';

export interface PaneSource {
  title: string;
  path: string;
  companions?: string[];
  stage: GraphStage;
  /** Offer the source/converted toggle (not for a .tflite, which is only itself). */
  canChangeStage: boolean;
}

export class GraphPane {
  source = $state.raw<PaneSource>({ title: '', path: '', stage: 'converted', canChangeStage: false });
  view = $state.raw<GraphView | null>(null);
  layout = $state.raw<GraphLayout | null>(null);
  figures = $state.raw<ReadonlyMap<number, number>>(NO_FIGURES);
  error = $state<string | null>(null);
  loading = $state(false);
  layoutMs = $state(0);
  selected = $state<number | null>(null);
  focus = $state<{ node: number; seq: number } | null>(null);
  #seq = 0;
  #load = 0;

  /** Tensor name → the node (index) that writes it, for syncing the selection between panes. */
  producers = $derived(tensorProducers(this.view));

  /**
   * Shows nothing but the loading state, at once: the page's target changed and what this pane
   * will show is not known yet. A load still running for the previous target is dropped.
   */
  clear(): void {
    this.#begin({ title: '', path: '', stage: 'converted', canChangeStage: false });
  }

  #begin(source: PaneSource): number {
    this.source = source;
    this.loading = true;
    this.error = null;
    this.selected = null;
    this.focus = null;
    this.view = null;
    this.layout = null;
    this.figures = NO_FIGURES;
    return ++this.#load;
  }

  async load(source: PaneSource, figures: LayerFigures | null): Promise<void> {
    const ticket = this.#begin(source);
    try {
      const view = await api.models.graph({ path: source.path, stage: source.stage, ...(source.companions?.length ? { companions: source.companions } : {}) });
      if (ticket !== this.#load) return;
      const start = performance.now();
      const layout = layoutGraph(view);
      this.layoutMs = performance.now() - start;
      this.view = view;
      this.layout = layout;
      this.setFigures(figures);
    } catch (error) {
      if (ticket !== this.#load) return;
      this.view = null;
      this.layout = null;
      this.error = humanError(error);
    } finally {
      if (ticket === this.#load) this.loading = false;
    }
  }

  setFigures(figures: LayerFigures | null): void {
    this.figures = this.view && figures ? nodeFigures(this.view, figures) : NO_FIGURES;
  }

  select(node: number | null, centre: boolean): void {
    this.selected = node;
    if (node !== null && centre) this.focus = { node, seq: ++this.#seq };
  }

  /** The node matching another pane's node: the writer of one of its output tensors, else the same name. */
  counterpart(other: GraphView, node: number): number | null {
    const n = other.nodes[node];
    if (!n || !this.view) return null;
    for (const t of n.outputs) {
      const mine = this.producers.get(other.tensors[t]?.name ?? '');
      if (mine !== undefined) return mine;
    }
    const byName = this.view.nodes.findIndex((m) => m.name === n.name);
    return byName >= 0 ? byName : null;
  }

  /** The node a key moves the selection to: the first reader of its output (down), the writer of its first input (up), the next or previous op in graph order. */
  neighbour(node: number | null, key: 'ArrowDown' | 'ArrowUp' | 'ArrowLeft' | 'ArrowRight'): number | null {
    const view = this.view;
    if (!view || view.nodes.length === 0) return null;
    if (node === null) return 0;
    const n = view.nodes[node]!;
    if (key === 'ArrowRight') return Math.min(node + 1, view.nodes.length - 1);
    if (key === 'ArrowLeft') return Math.max(node - 1, 0);
    if (key === 'ArrowDown') {
      const reader = view.nodes.findIndex((m, i) => i > node && m.inputs.some((t) => t !== null && n.outputs.includes(t)));
      return reader >= 0 ? reader : node;
    }
    for (const t of n.inputs) {
      const writer = t === null ? undefined : this.producers.get(view.tensors[t]?.name ?? '');
      if (writer !== undefined) return writer;
    }
    return node;
  }

  matches(query: string): number[] {
    const q = query.trim().toLowerCase();
    if (!q || !this.view) return [];
    return this.view.nodes.flatMap((n, i) => (n.name.toLowerCase().includes(q) || n.op.toLowerCase().includes(q) ? [i] : []));
  }
}
