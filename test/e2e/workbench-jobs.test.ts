// Progress and jobs in real Chromium (issue 14): a real vww INT8 + GPTQ quantization started on
// the Quantize page keeps its progress in view at 1280×800 even with the page scrolled down, its
// time estimate is per stage and never grows while the bar stands still, and the Jobs panel names
// the job by what it does and clears finished jobs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import sharp from 'sharp';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/build';
import { e2eSession } from '../helpers/e2e-session';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { addModelInUi, createProjectInUi } from '../helpers/studio-page';

const fixtures = join(repoRoot, '..', 'shared', 'fixtures');
const vww = join(fixtures, 'mlperf-tiny', 'vww', 'vww_96.h5');
const photos = join(fixtures, 'images', 'litert_224');
/** Calibration samples: enough that calibration lasts long enough to show a time estimate. */
const SAMPLES = 160;

/** SAMPLES crops of the 20 photos (8 per photo, each a different square), as JPEG files in `dir`. */
async function cropsOfPhotos(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const files = readdirSync(photos).sort();
  for (let i = 0; i < SAMPLES; i++) {
    const file = join(photos, files[i % files.length]!);
    const { width = 0, height = 0 } = await sharp(file).metadata();
    const side = Math.floor(Math.min(width, height) * (0.5 + 0.05 * (i % 8)));
    const left = Math.floor(((width - side) * ((i * 7) % 11)) / 10);
    const top = Math.floor(((height - side) * ((i * 3) % 11)) / 10);
    await sharp(file).extract({ left, top, width: side, height: side }).jpeg().toFile(join(dir, `crop${String(i).padStart(3, '0')}.jpg`));
  }
  return dir;
}
const skip = !existsSync(CHROMIUM_PATH) ? `${CHROMIUM_PATH} absent` : !existsSync(vww) ? '../shared/fixtures absent' : false;

describe('Progress in view and jobs named by what they do, in Chromium', { skip }, () => {
  const projectDir = join(mkdtempSync(join(tmpdir(), 'eq-jobs-')), 'vww');

  const s = e2eSession({
    name: 'workbench-jobs',
    page: 'file',
    setup: async (page, host) => {
      await createProjectInUi(page, host.url, projectDir);
      await addModelInUi(page, host.url, vww);
    },
  });

  test('progress stays in view; the ETA is per stage and never grows while the bar stalls; the job is named', async () => {
    await openRoute(s.page, s.host.url, `#/quantize`);
    await s.page.getByRole('radio', { name: /INT8 full integer/ }).check();
    await s.page.locator('input[name="calibration"]').fill(await cropsOfPhotos(join(projectDir, '..', 'crops')));
    await s.page.locator('select[name="preprocess"]').selectOption('0..1');
    await s.page.locator('input[name="samples"]').fill(String(SAMPLES));
    await s.page.locator('select[name="weight-rounding"]').selectOption('gptq');
    await s.page.locator('input[name="label"]').fill('gptq');
    await s.page.getByRole('button', { name: 'Quantize', exact: true }).click();
    const progress = s.page.getByTestId('job-progress');
    await progress.waitFor();
    // Scrolled to the bottom of the page, the progress is still on screen.
    await s.page.locator('main').evaluate((main) => main.scrollTo(0, main.scrollHeight));
    await s.page.waitForTimeout(300);
    const box = await progress.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 800, `progress on screen: ${JSON.stringify(box)}`);
    await s.page.screenshot({ path: join(screenshotDir, 'workbench-progress.png') });
    const title = s.page.locator('section[aria-label="Jobs"] [data-testid="job-title"]').first();
    assert.equal(await title.innerText(), 'Quantize vww_96 to int8 (gptq)');
    // Watch the bar and the estimate: while the bar does not move, the estimate may only fall.
    const seen: { pct: number; eta: number | null; stage: string }[] = [];
    const deadline = Date.now() + 25_000;
    while (Date.now() < deadline) {
      const text = await s.page.getByTestId('job-status').innerText().catch(() => '');
      if (!/Stage:/.test(text)) break;
      const pct = Number(/(\d+)% in all/.exec(text)?.[1] ?? -1);
      const eta = /about (\d+) s left/.exec(text);
      seen.push({ pct, eta: eta ? Number(eta[1]) : null, stage: /Stage: (\S+)/.exec(text)?.[1] ?? '' });
      // Often: on a fast machine the whole job takes a few seconds.
      await s.page.waitForTimeout(80);
    }
    assert.ok(seen.length > 10, `watched ${seen.length} states`);
    assert.ok(seen.some((s) => s.eta !== null), 'an estimate was shown at some point');
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      if (a.stage === b.stage && a.pct === b.pct && a.eta !== null && b.eta !== null) assert.ok(b.eta <= a.eta, `ETA grew from ${a.eta} to ${b.eta} s while the bar stood at ${a.pct}%`);
    }
    if (await s.page.getByRole('button', { name: 'Cancel', exact: true }).first().isVisible()) await s.page.getByRole('button', { name: 'Cancel', exact: true }).first().click();
    await s.page.locator('section[aria-label="Jobs"] li:not([data-status="running"])').first().waitFor({ timeout: 60_000 });
  });

  test('Clear finished empties the jobs list', async () => {
    await s.page.getByRole('button', { name: 'Clear finished' }).click();
    await s.page.locator('section[aria-label="Jobs"]').waitFor({ state: 'detached' });
    assert.deepEqual(s.consoleErrors, []);
  });
});
