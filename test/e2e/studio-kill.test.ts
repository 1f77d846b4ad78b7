// kill -9 of the app (the browser host process, with its job worker threads) during a
// quantization started from the UI: the project stays readable, the interrupted run is marked
// failed on the next open (shown in the window), and the earlier run is byte-for-byte intact.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { demoData, repoRoot } from '../helpers/build';
import { startHostProcess, type HostProcess } from '../helpers/host';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { e2eSession } from '../helpers/e2e-session';
import { addModelInUi, openProjectInUi } from '../helpers/studio-page';
import { listRuns } from '../../src-main/projects/index';

const demo = demoData;
const cli = (...args: string[]) => execFileSync(process.execPath, [join(repoRoot, 'bin', 'edgequant.js'), ...args], { encoding: 'utf8' });
const PROJECT = 'Kill test';

describe('kill -9 during a quantization', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  // The test starts (and kills) its own hosts; the session gives it Chromium and a page.
  const s = e2eSession({ name: 'studio-kill', host: false });
  const hosts: HostProcess[] = [];
  after(async () => {
    // A SIGKILLed host has exited already (signalCode set, exitCode null): nothing to stop.
    for (const h of hosts) if (h.child.exitCode === null && h.child.signalCode === null) await h.kill();
  });

  test('the project stays readable; the interrupted run is failed; the earlier run is intact', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'eq-kill-ui-')), 'p');
    cli('project', 'init', dir, '--name', PROJECT);
    cli('convert', join(demo, 'model', 'model.json'), '-o', join(dir, 'fp16.tflite'), '--quantize', 'fp16', '--project', dir);
    const [earlier] = listRuns(dir);
    assert.equal(earlier!.status, 'succeeded');
    const earlierFile = join(dir, 'runs', earlier!.id, 'run.json');
    const earlierBytes = readFileSync(earlierFile, 'utf8');

    const host = await startHostProcess();
    hosts.push(host);
    const { page } = s;
    await openProjectInUi(page, host.url, dir, PROJECT);
    // The Quantize page picks among the project's models (inspecting alone no longer targets a file).
    await addModelInUi(page, host.url, join(demo, 'model', 'model.json'));
    await openRoute(page, host.url, '#/quantize');
    await page.getByTestId('quantize-model').waitFor();
    await page.getByRole('radio', { name: /INT8 full integer/ }).check();
    await page.locator('input[name="calibration"]').fill(join(demo, 'calibration'));
    await page.locator('input[name="eval-data"]').fill(join(demo, 'eval', 'x.npy'));
    await page.getByRole('button', { name: 'Quantize', exact: true }).click();

    // Kill as soon as the run is on disk and still running.
    let running: string | undefined;
    for (let i = 0; i < 2000 && !running; i++) {
      running = listRuns(dir).find((r) => r.status === 'running')?.id;
      if (!running) await sleep(10);
    }
    assert.ok(running, 'the quantization run appeared as running');
    const exited = once(host.child, 'exit');
    host.child.kill('SIGKILL');
    await exited;
    const onDisk = JSON.parse(readFileSync(join(dir, 'runs', running, 'run.json'), 'utf8')) as { status: string; owner?: { pid: number } };
    assert.equal(onDisk.status, 'running', 'killed mid-run: the record still says running');
    assert.equal(onDisk.owner?.pid, host.child.pid);

    // A new app opens the project: the interrupted run is settled and the window says so.
    const second = await startHostProcess();
    hosts.push(second);
    await openProjectInUi(page, second.url, dir, PROJECT);
    const card = await page.getByTestId('current-project').innerText();
    assert.match(card, new RegExp(`1 interrupted run\\(s\\) were marked failed: ${running}`));
    await page.getByTestId('current-project').screenshot({ path: join(screenshotDir, 'studio-after-kill.png') });
    await openRoute(page, second.url, '#/history');
    const row = page.locator(`tr[data-run-id="${running}"]`);
    await row.waitFor({ timeout: 20_000 });
    assert.match(await row.innerText(), /failed/);
    assert.match(await row.innerText(), /interrupted/);

    const listed = JSON.parse(cli('project', 'runs', dir, '--json')) as { runs: { id: string; status: string }[] };
    assert.deepEqual(listed.runs.map((r) => [r.id, r.status]), [[running, 'failed'], [earlier!.id, 'succeeded']]);
    assert.equal(readFileSync(earlierFile, 'utf8'), earlierBytes);
    for (const id of readdirSync(join(dir, 'runs')).filter((n) => !n.includes('.'))) {
      JSON.parse(readFileSync(join(dir, 'runs', id, 'run.json'), 'utf8'));
    }
    JSON.parse(readFileSync(join(dir, 'edgequant-project.json'), 'utf8'));
  });
});
