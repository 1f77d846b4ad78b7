// Steps the Studio UI tests share: a canvas's painted pixels, and an INT8 run of the demo model
// through the Quantize page (returns the run id from the run page link).
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { demoData } from './build';
import { openRoute } from './browser';

export const demoDir = demoData;

/** Pixels of a canvas that are not fully transparent (chart.js draws on a transparent canvas). */
export async function paintedPixels(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).evaluate((canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });
}

export async function quantizeDemo(page: Page, url: string, options: { label: string; evalData?: string; labels?: string; preprocess?: string }): Promise<string> {
  await openRoute(page, url, `#/quantize`);
  await page.getByTestId('quantize-model').waitFor();
  await page.getByRole('radio', { name: /INT8 full integer/ }).check();
  await page.locator('input[name="calibration"]').fill(join(demoDir, 'calibration'));
  await page.locator('select[name="preprocess"]').selectOption(options.preprocess ?? '0..1');
  await page.locator('input[name="eval-data"]').fill(options.evalData ?? '');
  await page.locator('input[name="eval-labels"]').fill(options.labels ?? '');
  await page.locator('input[name="label"]').fill(options.label);
  await page.getByRole('button', { name: 'Quantize', exact: true }).click();
  const open = page.getByTestId('open-run');
  await open.waitFor({ timeout: 240_000 });
  const href = await open.getAttribute('href');
  return decodeURIComponent(href!.replace('#/runs/', ''));
}

