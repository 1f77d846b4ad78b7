// State of a run's classification results view: which confusion matrix is shown, the top-N
// limit for many classes, the per-class table's order, and the changed samples' thumbnails
// (one report file of the run, fetched through the API the way downloads are).
import { api } from '../../lib/api';
import { humanError } from '../../lib/human-error';
import type { ClassificationResults } from '../../../src-main/evaluate/classification';
import type { RunRecord } from '../../../src-main/projects/types';
import { availableKinds, FULL_MATRIX_CLASSES, matrixView, type MatrixKind } from './confusion';

export type ClassOrder = 'class' | 'delta' | 'samples';

export class ClassifyState {
  kind = $state<MatrixKind>('floatVsQuant');
  limit = $state(FULL_MATRIX_CLASSES);
  order = $state<ClassOrder>('class');
  /** data: URLs by position in changed.shown; empty until loaded (or when the run has none). */
  thumbnails = $state<string[]>([]);
  thumbnailError = $state<string | null>(null);
  #for: string | null = null;
  /** The record's results, read through the component's prop (set once, in the constructor). */
  #source = $state.raw<(() => ClassificationResults) | null>(null);

  constructor(results: () => ClassificationResults) {
    this.#source = results;
  }

  kinds = $derived(this.#source ? availableKinds(this.#source()) : (['floatVsQuant'] as MatrixKind[]));
  view = $derived(this.#source ? matrixView(this.#source(), this.kinds.includes(this.kind) ? this.kind : this.kinds[0]!, this.limit) : null);

  rows = $derived.by(() => {
    const rows = [...(this.#source?.().perClass ?? [])];
    const delta = (r: (typeof rows)[number]) => (r.quantAccuracy ?? 0) - (r.floatAccuracy ?? 0);
    if (this.order === 'delta') rows.sort((a, b) => delta(a) - delta(b) || a.index - b.index);
    else if (this.order === 'samples') rows.sort((a, b) => b.samples - a.samples || b.floatPredicted - a.floatPredicted || a.index - b.index);
    return rows;
  });

  /** Labelled runs open on labels vs quantized (accuracy); others on float vs quantized. */
  reset(): void {
    this.kind = this.kinds[0]!;
  }

  async loadThumbnails(dir: string, run: RunRecord): Promise<void> {
    const file = run.classification?.changed.thumbnails;
    const key = `${dir}|${run.id}`;
    if (this.#for === key) return;
    this.#for = key;
    this.thumbnails = [];
    this.thumbnailError = null;
    if (!file) return;
    try {
      const content = await api.projects.artifact({ dir, id: run.id, name: file });
      const json = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(content.base64), (c) => c.charCodeAt(0)))) as { pngBase64?: unknown };
      const list = Array.isArray(json.pngBase64) ? json.pngBase64.filter((p): p is string => typeof p === 'string') : [];
      if (this.#for === key) this.thumbnails = list.map((p) => `data:image/png;base64,${p}`);
    } catch (error) {
      if (this.#for === key) this.thumbnailError = `Thumbnails not shown: ${humanError(error)}`;
    }
  }
}
