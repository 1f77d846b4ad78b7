// Steps the Studio UI tests share: create or open a project and add a model to it the way a user
// does, a canvas's painted pixels, and an INT8 run of the demo model through the Quantize page
// (returns the run id from the run page link).
import { basename, isAbsolute, join } from 'node:path';
import type { Page } from 'playwright-core';
import { demoData } from './build';
import { openRoute } from './browser';

export const demoDir = demoData;

/**
 * Creates a project in `folder` from the Projects page (named `name`, or after its folder when no
 * name is given) and waits until it is the current project, shown under that name.
 */
export async function createProjectInUi(page: Page, url: string, folder: string, name?: string): Promise<void> {
  await openRoute(page, url, '#/projects');
  await page.getByLabel('Folder').first().fill(folder);
  if (name !== undefined) await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Create project' }).click();
  await waitForCurrentProject(page, name ?? basename(folder), folder);
}

/** Opens the project in `dir` from the Projects page and waits until it is current under `name`. */
export async function openProjectInUi(page: Page, url: string, dir: string, name: string): Promise<void> {
  await openRoute(page, url, '#/projects');
  await page.locator('input[name="open-dir"]').fill(dir);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await waitForCurrentProject(page, name, dir);
}

/**
 * The host keeps the last project across test files (one app state under test-output), so a
 * project of the same name may be current already: an absolute folder is waited for too.
 */
async function waitForCurrentProject(page: Page, name: string, folder: string): Promise<void> {
  const current = page.getByTestId('current-project');
  await current.getByRole('heading', { name, exact: true }).waitFor({ timeout: 20_000 });
  if (isAbsolute(folder)) await current.getByText(folder, { exact: true }).waitFor({ timeout: 20_000 });
}

/**
 * Inspects the model file at `path` on the Models page and adds it to the current project. The
 * page keeps the last summary while it inspects: add only once this file's summary is shown.
 */
export async function addModelInUi(page: Page, url: string, path: string): Promise<void> {
  const name = basename(path);
  await openRoute(page, url, '#/models');
  await page.getByLabel('Model path').fill(path);
  await page.getByRole('button', { name: 'Inspect' }).click();
  await page.getByTestId('model-summary').getByRole('heading', { name }).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Add to project' }).click();
  await page.getByText(`Added ${name} to the project.`).waitFor({ timeout: 60_000 });
}

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

