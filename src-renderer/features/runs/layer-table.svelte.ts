// The layer table's state: the converted graph by default (the .tflite's fused ops), the source
// graph (as imported) on request; each fetched once from the engine (models.graph).
import { api } from '../../lib/api';
import { humanError } from '../../lib/human-error';
import type { GraphStage, GraphView } from '../../../src-main/graph-view/types';

export interface GraphSource {
  path: string;
  companions?: string[];
  stage: GraphStage;
}

export class LayerTableState {
  which = $state<'converted' | 'source'>('converted');
  views = $state.raw<{ converted?: GraphView; source?: GraphView }>({});
  error = $state<string | null>(null);
  loading = $state(false);
  filter = $state('');
  /** False for a .tflite: its converted graph is all there is. */
  hasSource = $state(false);
  #sources: { converted: GraphSource; source: GraphSource | null } | null = null;
  #ticket = 0;

  view = $derived(this.views[this.which] ?? null);

  /** `source` null: the converted graph is all there is (a .tflite). */
  setSources(converted: GraphSource, source: GraphSource | null): void {
    this.#sources = { converted, source };
    this.hasSource = source !== null;
    this.views = {};
    this.which = 'converted';
    void this.show('converted');
  }

  async show(which: 'converted' | 'source'): Promise<void> {
    this.which = which;
    const source = which === 'converted' ? this.#sources?.converted : this.#sources?.source;
    if (!source || this.views[which]) return;
    const ticket = ++this.#ticket;
    this.loading = true;
    this.error = null;
    try {
      const view = await api.models.graph({ path: source.path, stage: source.stage, ...(source.companions?.length ? { companions: source.companions } : {}) });
      if (ticket === this.#ticket) this.views = { ...this.views, [which]: view };
    } catch (error) {
      if (ticket === this.#ticket) this.error = humanError(error);
    } finally {
      if (ticket === this.#ticket) this.loading = false;
    }
  }
}
