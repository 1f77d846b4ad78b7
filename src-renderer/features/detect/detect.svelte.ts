// The detection view's state: the run's validation pictures (a run file, fetched once per run
// through the same artifact channel as downloads) and what is drawn on them.
import { api } from '../../lib/api';
import { humanError } from '../../lib/human-error';
import type { DetectionPictures } from '../../../src-main/detect/run-record';

export class DetectionViewState {
  /** Picture data URL per sample source. */
  pictures = $state<Record<string, string>>({});
  error = $state<string | null>(null);
  loading = $state(false);
  /** Show only the images where the quantized model missed or added boxes. */
  changedOnly = $state(false);
  #loaded: string | null = null;

  async load(dir: string, runId: string, file: string | undefined): Promise<void> {
    const key = `${dir}\n${runId}\n${file ?? ''}`;
    if (this.#loaded === key) return;
    this.#loaded = key;
    this.pictures = {};
    this.error = null;
    if (!file) return;
    this.loading = true;
    try {
      const content = await api.projects.artifact({ dir, id: runId, name: file });
      const bytes = Uint8Array.from(atob(content.base64), (c) => c.charCodeAt(0));
      const parsed = JSON.parse(new TextDecoder().decode(bytes)) as DetectionPictures;
      this.pictures = Object.fromEntries(parsed.images.map((p) => [p.source, `data:image/jpeg;base64,${p.jpegBase64}`]));
    } catch (error) {
      this.error = `The validation pictures could not be read (${humanError(error)}); the boxes are drawn on a blank frame.`;
    } finally {
      this.loading = false;
    }
  }
}
