// Issue 13 in the Studio, in real Chromium against the built browser host and the real engine: a
// project with a YOLO-head detector (the tiny YOLO-shaped Keras model of test/detect, 64×64, so
// the run stays short) quantized to int8 on real photos. The run is recognised as a detector from
// its output shapes; its page shows the mAP tiles, the validation photos with float and quantized
// boxes side by side, AP per class and a snippet that decodes boxes on the board; a second run with
// labels and class names adds mAP on labels; History charts mAP for the model. The boxes' captions
// are chips in the class colour that never overlap (those with no room show on hover). The fixes
// measured for the head are on the run page; "Quantize with split" makes a new run whose boxes and
// scores each have their SQNR, compared with the first in History; the Search page applies a fix to
// every candidate.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { repoRoot } from '../helpers/build';
import { e2eSession } from '../helpers/e2e-session';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { addModelInUi, createProjectInUi, paintedPixels } from '../helpers/studio-page';
import { TINY, writeTinyYolo } from '../detect/tiny-yolo';
import type { RunRecord } from '../../src-main/projects/types';
import { mainGraph } from '../../src-main/graph/model-graph';
import { readTflite } from '../../src-main/tflite/reader';
import { boxCaption, boxColour } from '../../src-renderer/features/detect/boxes';
import { contrastRatio } from '../../src-renderer/features/detect/caption-layout';

const images = join(repoRoot, '..', 'shared', 'fixtures', 'images');
const photos = join(images, 'photos');
const coral = join(images, 'coral');
const skip = !existsSync(CHROMIUM_PATH) ? `${CHROMIUM_PATH} absent` : !existsSync(coral) ? `fixture images absent (${images})` : false;
const runRecord = (projectDir: string, id: string) => JSON.parse(readFileSync(join(projectDir, 'runs', id, 'run.json'), 'utf8')) as RunRecord;
const hasPython = spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;

describe('A detector run in the Studio, in Chromium', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'eq-detect-view-'));
  const projectDir = join(work, 'detector');
  let model = '';
  let firstRun = '';

  before(async () => {
    model = await writeTinyYolo(work);
  });
  const s = e2eSession({
    name: 'detect-view',
    page: 'file',
    setup: async (page, host) => {
      await createProjectInUi(page, host.url, projectDir, 'Detector');
      await addModelInUi(page, host.url, model);
    },
  });

  async function quantize(label: string, task?: { task: string; decoder: string; labels: string; classes: string }): Promise<string> {
    await openRoute(s.page, s.host.url, `#/quantize`);
    await s.page.getByTestId('quantize-model').waitFor();
    await s.page.getByRole('radio', { name: /INT8 full integer/ }).check();
    await s.page.locator('input[name="calibration"]').fill(photos);
    await s.page.locator('select[name="preprocess"]').selectOption('0..1');
    await s.page.locator('input[name="eval-data"]').fill(coral);
    await s.page.locator('input[name="label"]').fill(label);
    if (task) {
      await s.page.locator('select[name="task"]').selectOption(task.task);
      await s.page.locator('select[name="decoder"]').selectOption(task.decoder);
      await s.page.locator('input[name="detect-labels"]').fill(task.labels);
      await s.page.locator('input[name="detect-classes"]').fill(task.classes);
      await s.page.getByTestId('task-fields').scrollIntoViewIfNeeded();
      await s.page.screenshot({ path: join(screenshotDir, 'detect-quantize-task.png') });
    } else {
      assert.equal(await s.page.locator('select[name="task"]').inputValue(), 'auto', 'the task defaults to auto');
    }
    await s.page.getByRole('button', { name: 'Quantize', exact: true }).click();
    const open = s.page.getByTestId('open-run');
    await open.waitFor({ timeout: 120_000 });
    const id = decodeURIComponent((await open.getAttribute('href'))!.replace('#/runs/', ''));
    await open.click();
    await s.page.getByTestId('detection-view').waitFor({ timeout: 20_000 });
    return id;
  }

  test('an int8 run recognised as a detector shows mAP tiles, float and quantized boxes on the photos, AP per class and a detector snippet', async () => {
    firstRun = await quantize('tiny yolo int8');
    const run = runRecord(projectDir, firstRun);
    const d = run.detection!;
    assert.ok(d, 'the run record keeps the detection results');
    assert.equal(d.chosenBy, 'output shapes');
    assert.equal(await s.page.getByTestId('detect-map50').innerText(), d.quantVsFloat.map50!.toFixed(3));
    assert.equal(await s.page.getByTestId('detect-map5095').innerText(), d.quantVsFloat.map5095!.toFixed(3));
    assert.equal(await s.page.getByTestId('detect-missed').innerText(), `${d.quantVsFloat.missed} / ${d.quantVsFloat.extra}`);
    // Judged by its boxes: the verdict speaks of mAP, and no top-1 agreement tile (a detector has no top-1).
    assert.equal(await s.page.getByTestId('verdict').getAttribute('data-level'), run.verdict!.level);
    if (run.verdict!.level === 'good') assert.match(await s.page.getByTestId('verdict').innerText(), /finds the float model's boxes/);
    assert.equal(await s.page.getByTestId('result-agreement').count(), 0);
    await s.page.locator('main').evaluate((main) => main.scrollTo(0, 0));
    await s.page.screenshot({ path: join(screenshotDir, 'detect-run-page-top.png') });
    const pairs = s.page.getByTestId('detect-image');
    assert.equal(await pairs.count(), d.images.length);
    assert.equal(d.images.length, 10, 'the 10 coral photos were validated');
    // Each photo is drawn under its boxes: one picture per pane once the run's pictures file is read.
    await s.page.locator('[data-testid="boxes-quant"] image').first().waitFor({ timeout: 20_000 });
    assert.equal(await s.page.locator('[data-testid="detect-gallery"] svg image').count(), 2 * d.images.length);
    const href = await s.page.locator('[data-testid="boxes-float"] image').first().getAttribute('href');
    assert.match(href ?? '', /^data:image\/jpeg;base64,/);
    // The boxes drawn are the record's, side by side.
    for (let i = 0; i < d.images.length; i++) {
      const pair = pairs.nth(i);
      assert.equal(await pair.getAttribute('data-source'), d.images[i]!.source);
      assert.equal(Number(await pair.getByTestId('boxes-float').getAttribute('data-boxes')), d.images[i]!.float.length);
      assert.equal(Number(await pair.getByTestId('boxes-quant').getAttribute('data-boxes')), d.images[i]!.quant.length);
      assert.equal(await pair.getByTestId('boxes-quant').locator('rect.box').count(), d.images[i]!.quant.length);
    }
    // What changed per image, and a filter to the images whose boxes changed.
    const changed = d.images.filter((im) => im.missed + im.extra > 0);
    assert.equal(await pairs.nth(0).getByTestId('detect-change').innerText(), d.images[0]!.missed + d.images[0]!.extra > 0 ? `${d.images[0]!.missed} missed, ${d.images[0]!.extra} extra` : 'same boxes');
    await s.page.getByTestId('detect-changed-only').check();
    assert.deepEqual(await pairs.evaluateAll((els) => els.map((e) => e.getAttribute('data-source'))), changed.map((im) => im.source));
    await s.page.getByTestId('detect-changed-only').uncheck();
    assert.equal(await pairs.count(), d.images.length);
    const drawn = d.images.reduce((n, im) => n + im.float.length + im.quant.length, 0);
    assert.ok(drawn > 0, 'boxes are drawn');
    assert.equal(await s.page.getByTestId('detect-classes').locator('tbody tr').count(), d.quantVsFloat.perClass.length);
    // The snippet decodes boxes and runs NMS on the host, in Python and C++.
    const python = await s.page.getByTestId('snippet').innerText();
    assert.match(python, /def detect\(outputs\):/);
    assert.match(python, /for x1, y1, x2, y2, score, cls in detect\(raw\):/);
    assert.doesNotMatch(python, /top-1/);
    if (hasPython) {
      const parsed = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: python, encoding: 'utf8' });
      assert.equal(parsed.status, 0, `the Python snippet parses: ${parsed.stderr}`);
    }
    await s.page.getByRole('tab', { name: 'C++' }).click();
    assert.match(await s.page.getByTestId('snippet').innerText(), /for \(const detector::Box& b : detector::Detect\(outputs\)\)/);
    const fits = await s.page.evaluate(() => document.querySelector('main')!.scrollWidth <= document.querySelector('main')!.clientWidth);
    assert.ok(fits, 'no horizontal overflow at 1280 px');
    await s.page.getByTestId('detection-view').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await s.page.screenshot({ path: join(screenshotDir, 'detect-run-page.png') });
    await s.page.getByTestId('detect-classes').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await s.page.screenshot({ path: join(screenshotDir, 'detect-run-page-classes-snippet.png') });
  });

  test('the pictures are drawn with their boxes: the photo under each pane, each box in its class colour where the run record puts it', async () => {
    const d = runRecord(projectDir, firstRun).detection!;
    // A page of its own (the session's per-test page): the run page read from the host alone.
    await openRoute(s.page, s.host.url, `#/runs/${encodeURIComponent(firstRun)}`);
    await s.page.getByTestId('detection-view').waitFor({ timeout: 20_000 });
    await s.page.locator('[data-testid="boxes-quant"] image').first().waitFor({ timeout: 20_000 });
    const boxed = d.images.map((im, i) => ({ i, im })).filter(({ im }) => im.quant.length > 0);
    assert.ok(boxed.length > 0, 'the run found boxes on some photo');
    let checked = 0;
    for (const { i, im } of boxed.slice(0, 3)) {
      for (const side of ['float', 'quant'] as const) {
        const boxes = side === 'float' ? im.float : im.quant;
        const pane = s.page.getByTestId('detect-image').nth(i).getByTestId(`boxes-${side}`);
        await pane.scrollIntoViewIfNeeded();
        assert.equal(await pane.locator('rect.box').count(), boxes.length, `${im.source} ${side}: one rectangle per box of the record`);
        // Where each box should be on screen (the SVG maps input pixels to its laid-out size) and its stroke colour.
        const expected = await pane.evaluate((svg, input) => {
          const frame = svg.getBoundingClientRect();
          const sx = frame.width / input.w;
          const sy = frame.height / input.h;
          return [...svg.querySelectorAll('rect.box')].map((r) => {
            const box = r as SVGRectElement;
            const rgb = getComputedStyle(box).stroke.match(/\d+/g)!.map(Number);
            return { x: box.x.baseVal.value * sx, y: box.y.baseVal.value * sy, w: box.width.baseVal.value * sx, h: box.height.baseVal.value * sy, rgb };
          });
        }, { w: d.inputWidth, h: d.inputHeight });
        await pane.screenshot({ path: join(screenshotDir, `detect-picture-${i}-${side}.png`) });
        // The box edges are sampled with the caption chips hidden (a chip may sit on an edge; the captions have their own test).
        await pane.evaluate((svg) => svg.querySelectorAll<SVGElement>('.caption').forEach((c) => (c.style.visibility = 'hidden')));
        const png = await pane.screenshot({ path: join(screenshotDir, `detect-picture-${i}-${side}-boxes.png`) });
        await pane.evaluate((svg) => svg.querySelectorAll<SVGElement>('.caption').forEach((c) => (c.style.visibility = '')));
        const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        const at = (x: number, y: number) => {
          const o = (Math.round(y) * info.width + Math.round(x)) * 3;
          return [data[o]!, data[o + 1]!, data[o + 2]!];
        };
        // The photo is there: its pixels vary (a blank pane is one flat colour).
        const grey: number[] = [];
        for (let y = 0; y < info.height; y += 4) for (let x = 0; x < info.width; x += 4) grey.push(at(x, y).reduce((a, b) => a + b, 0) / 3);
        const mean = grey.reduce((a, b) => a + b, 0) / grey.length;
        const spread = Math.sqrt(grey.reduce((a, v) => a + (v - mean) ** 2, 0) / grey.length);
        assert.ok(spread > 10, `${im.source} ${side}: the photo is drawn (grey levels spread ${spread.toFixed(1)})`);
        // Each box: most points along its left and bottom edges are in its
        // colour, or in the colour of a box drawn after it (on top of it, where two boxes nearly coincide).
        for (const [k, b] of expected.entries()) {
          const points: [number, number][] = [];
          // The same points moved into the box, clear of its stroke: a control (foliage may be green too).
          const inside: [number, number][] = [];
          const inset = Math.min(6, b.w / 3, b.h / 3);
          for (let f = 0.2; f <= 0.8; f += 0.05) {
            points.push([b.x, b.y + f * b.h], [b.x + f * b.w, b.y + b.h]);
            inside.push([b.x + inset, b.y + f * b.h], [b.x + f * b.w, b.y + b.h - inset]);
          }
          const colours = [b.rgb, ...expected.slice(k + 1).map((later) => later.rgb)];
          const near = (p: number[]) => colours.some((rgb) => Math.max(...p.map((v, c) => Math.abs(v - rgb[c]!))) <= 60);
          // The stroke is ~2 px wide and anti-aliased: a point counts when a pixel within 2 px of it has the colour.
          const onStroke = ([x, y]: [number, number]) => {
            for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
              const px = x + dx;
              const py = y + dy;
              if (px >= 0 && py >= 0 && px < info.width - 0.5 && py < info.height - 0.5 && near(at(px, py))) return true;
            }
            return false;
          };
          const hits = points.filter(onStroke).length;
          const control = inside.filter(([x, y]) => near(at(x, y))).length;
          assert.ok(hits >= 0.6 * points.length, `${im.source} ${side} box ${k} (rgb ${b.rgb.join(',')}): ${hits} of ${points.length} edge points in its colour`);
          assert.ok(hits - control >= 0.3 * points.length, `${im.source} ${side} box ${k}: its colour is on the edge (${hits}), not all over the photo (${control} points inside)`);
        }
        checked += expected.length;
      }
    }
    assert.ok(checked > 0);
    console.log(`detection pictures: ${checked} boxes found in their colour on ${Math.min(3, boxed.length)} photos × 2 panes`);
    assert.deepEqual(s.consoleErrors, []);
  });

  test('captions: no two caption chips overlap on any picture; each is a chip in its class colour with readable text; hovering a box shows its caption, also one left for hover', async () => {
    const d = runRecord(projectDir, firstRun).detection!;
    await openRoute(s.page, s.host.url, `#/runs/${encodeURIComponent(firstRun)}`);
    await s.page.getByTestId('detection-view').waitFor({ timeout: 20_000 });
    await s.page.locator('[data-testid="boxes-quant"] image').first().waitFor({ timeout: 20_000 });
    type R = { left: number; top: number; right: number; bottom: number };
    const overlap = (a: R, b: R) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
    const hex = (rgb: string) => `#${rgb.match(/\d+/g)!.slice(0, 3).map((v) => Number(v).toString(16).padStart(2, '0')).join('')}`;
    let shown = 0;
    let onHover = 0;
    let crowded = 0;
    const candidates: { i: number; side: 'float' | 'quant'; box: number; hoverOnly: boolean }[] = [];
    for (const [i, im] of d.images.entries()) {
      for (const side of ['float', 'quant'] as const) {
        const boxes = side === 'float' ? im.float : im.quant;
        const pane = s.page.getByTestId('detect-image').nth(i).getByTestId(`boxes-${side}`);
        // The chips as laid out on screen (the SVG's own geometry), with their colours and text.
        const laid = await pane.evaluate((svg) => {
          // No named helper functions in here: the test's transpiler would wrap them in a helper the page lacks.
          const frame = svg.getBoundingClientRect();
          return {
            frame: { left: frame.left, top: frame.top, right: frame.right, bottom: frame.bottom },
            hoverOnly: Number(svg.getAttribute('data-hover-only')),
            titles: svg.querySelectorAll('g.box-group > title').length,
            chips: [...svg.querySelectorAll('[data-testid="box-caption"]')].map((g) => {
              const [c, t] = [g.querySelector('rect.chip')!.getBoundingClientRect(), g.querySelector('text')!.getBoundingClientRect()];
              return {
                box: Number(g.getAttribute('data-box')),
                spot: g.getAttribute('data-spot')!,
                chip: { left: c.left, top: c.top, right: c.right, bottom: c.bottom },
                text: { left: t.left, top: t.top, right: t.right, bottom: t.bottom },
                label: g.querySelector('text')!.textContent,
                fill: getComputedStyle(g.querySelector('rect.chip')!).fill,
                textFill: getComputedStyle(g.querySelector('text')!).fill,
              };
            }),
            // Where each box's caption would sit with no layout (above its top-left corner, the chip's size): to count the crowded pictures.
            naive: [...svg.querySelectorAll('g.box-group rect.box')].map((b) => b.getBoundingClientRect()),
          };
        });
        const where = `${im.source} ${side}`;
        assert.equal(laid.titles, boxes.length, `${where}: every box has its caption as a tooltip`);
        assert.equal(laid.chips.length + laid.hoverOnly, boxes.length, `${where}: every caption is drawn or left for hover`);
        for (const [a, c] of laid.chips.entries()) {
          const b = boxes[c.box]!;
          assert.equal(c.label, boxCaption(d, b), `${where}: chip ${a} names its box`);
          assert.equal(hex(c.fill), boxColour(b.classId), `${where}: chip ${a} in its class colour`);
          assert.ok(contrastRatio(hex(c.fill), hex(c.textFill)) >= 4.5, `${where}: chip ${a} text contrast ${contrastRatio(hex(c.fill), hex(c.textFill)).toFixed(2)}`);
          // The text fits its chip, the chip fits the picture.
          assert.ok(c.text.left >= c.chip.left - 0.5 && c.text.right <= c.chip.right + 0.5, `${where}: chip ${a} text ${JSON.stringify(c.text)} inside ${JSON.stringify(c.chip)}`);
          assert.ok(c.chip.left >= laid.frame.left - 0.5 && c.chip.right <= laid.frame.right + 0.5 && c.chip.top >= laid.frame.top - 0.5 && c.chip.bottom <= laid.frame.bottom + 0.5, `${where}: chip ${a} inside the picture`);
          for (const [k, other] of laid.chips.slice(a + 1).entries()) {
            assert.ok(!overlap(c.chip, other.chip), `${where}: captions '${c.label}' and '${other.label}' overlap: ${JSON.stringify(c.chip)} ${JSON.stringify(other.chip)} (chips ${a}, ${a + 1 + k})`);
          }
        }
        const size = laid.chips[0] ? { w: laid.chips[0].chip.right - laid.chips[0].chip.left, h: laid.chips[0].chip.bottom - laid.chips[0].chip.top } : undefined;
        const naive = size ? laid.naive.map((r) => ({ left: r.left, right: r.left + size.w, top: r.top - size.h, bottom: r.top })) : [];
        if (naive.some((a, k) => naive.slice(k + 1).some((b) => overlap(a, b)))) crowded++;
        shown += laid.chips.length;
        onHover += laid.hoverOnly;
        const placed = new Set(laid.chips.map((c) => c.box));
        boxes.forEach((_, box) => candidates.push({ i, side, box, hoverOnly: !placed.has(box) }));
      }
    }
    console.log(`captions: ${shown} drawn without overlap, ${onHover} on hover only; ${crowded} picture(s) where captions above each box would have overlapped`);
    assert.ok(crowded > 0, 'the run has pictures with close boxes (else this test proves little)');
    assert.ok(shown > 0);

    // Hovering a box (one whose caption was left for hover, when there is one) shows its caption on top.
    // The box: the first whose area the pointer reaches somewhere (a box fully under a later one cannot be hovered).
    candidates.sort((a, b) => Number(b.hoverOnly) - Number(a.hoverOnly));
    let target: (typeof candidates)[number] | undefined;
    let point: { x: number; y: number } | null = null;
    for (const c of candidates) {
      const pane = s.page.getByTestId('detect-image').nth(c.i).getByTestId(`boxes-${c.side}`);
      await pane.scrollIntoViewIfNeeded();
      point = await pane.evaluate((svg, k) => {
        const box = svg.querySelector(`g.box-group[data-box="${k}"] rect.box`)!;
        const r = box.getBoundingClientRect();
        for (let fy = 0.5; fy > 0; fy -= 0.05) for (let fx = 0.5; fx > 0; fx -= 0.05) for (const [x, y] of [[r.left + fx * r.width, r.top + fy * r.height], [r.right - fx * r.width, r.bottom - fy * r.height]] as const) if (document.elementFromPoint(x, y) === box) return { x, y };
        return null;
      }, c.box);
      if (point) {
        target = c;
        break;
      }
    }
    assert.ok(target && point, 'some box can be hovered');
    const { i, side, box } = target;
    const pane = s.page.getByTestId('detect-image').nth(i).getByTestId(`boxes-${side}`);
    const b = (side === 'float' ? d.images[i]!.float : d.images[i]!.quant)[box]!;
    assert.equal(await pane.getByTestId('caption-hover').count(), 0);
    await s.page.mouse.move(point.x, point.y);
    const hover = pane.getByTestId('caption-hover');
    await hover.waitFor();
    assert.equal(await hover.getAttribute('data-box'), String(box));
    assert.equal(await hover.locator('text').textContent(), boxCaption(d, b));
    const png = await pane.screenshot({ path: join(screenshotDir, 'detect-caption-hover.png') });
    // Pixels: the hovered chip is painted in the class colour (in its left padding, 1.5 of the 14 units of its height from its edge: clear of rim and text).
    const chip = await hover.locator('rect.chip').evaluate((r, svg) => {
      const c = r.getBoundingClientRect();
      const f = svg!.getBoundingClientRect();
      return { x: c.left - f.left, y: c.top - f.top, w: c.width, h: c.height };
    }, await pane.elementHandle());
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const scale = info.width / (await pane.evaluate((svg) => svg.getBoundingClientRect().width));
    const want = boxColour(b.classId).match(/[0-9a-f]{2}/g)!.map((v) => parseInt(v, 16));
    const px = Math.round((chip.x + (1.5 / 14) * chip.h) * scale);
    const py = Math.round((chip.y + chip.h / 2) * scale);
    const o = (py * info.width + px) * 3;
    const got = [data[o]!, data[o + 1]!, data[o + 2]!];
    assert.ok(Math.max(...got.map((v, c) => Math.abs(v - want[c]!))) <= 40, `hovered chip pixel ${got.join(',')} in class colour ${want.join(',')}`);
    console.log(`hovered box ${box} of ${d.images[i]!.source} ${side} (${target.hoverOnly ? 'its caption was left for hover' : 'its caption was drawn too'})`);
    await s.page.mouse.move(0, 0);
    await hover.waitFor({ state: 'detached' });
    assert.deepEqual(s.consoleErrors, []);
  });

  test('with labels and class names the run adds mAP on labels and names the classes; History charts mAP for the model', async () => {
    const first = runRecord(projectDir, firstRun).detection!;
    const labels = join(work, 'labels');
    mkdirSync(labels);
    const side = TINY.size;
    for (const im of first.images) {
      writeFileSync(join(labels, im.source.replace(/\.[^.]+$/, '.txt')), im.float.map((b) => `${b.classId} ${(b.x1 + b.x2) / 2 / side} ${(b.y1 + b.y2) / 2 / side} ${(b.x2 - b.x1) / side} ${(b.y2 - b.y1) / side}`).join('\n'));
    }
    writeFileSync(join(work, 'classes.txt'), 'apple\nbanana\ncherry\n');
    const id = await quantize('tiny yolo int8 labelled', { task: 'detect', decoder: 'yolov8', labels, classes: join(work, 'classes.txt') });
    const d = runRecord(projectDir, id).detection!;
    assert.equal(d.chosenBy, 'user');
    assert.equal(await s.page.getByTestId('detect-label-map50').innerText(), `${d.quantVsLabels!.map50!.toFixed(3)} / ${d.floatVsLabels!.map50!.toFixed(3)}`);
    const classes = await s.page.getByTestId('detect-classes').innerText();
    assert.match(classes, /apple|banana|cherry/);
    assert.match(classes, /AP@0\.5 on labels/);
    await s.page.locator('[data-testid="boxes-quant"] image').first().waitFor({ timeout: 20_000 });
    assert.ok((await s.page.locator('[data-testid="detect-gallery"] rect.truth').count()) > 0, 'label boxes are drawn');
    await s.page.getByTestId('detection-view').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await s.page.screenshot({ path: join(screenshotDir, 'detect-run-page-labels.png') });
    // Dark theme and a wide window: the boxes and captions stay readable, the gallery takes more pairs per row.
    await s.page.emulateMedia({ colorScheme: 'dark' });
    await s.page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await s.page.screenshot({ path: join(screenshotDir, 'detect-run-page-dark.png') });
    await s.page.setViewportSize({ width: 1920, height: 1080 });
    await s.page.getByTestId('detection-view').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await s.page.screenshot({ path: join(screenshotDir, 'detect-run-page-dark-1920.png') });
    await s.page.setViewportSize({ width: 1280, height: 800 });
    await s.page.emulateMedia({ colorScheme: 'light' });

    await openRoute(s.page, s.host.url, `#/history`);
    await s.page.getByTestId('runs-table').waitFor();
    assert.equal(await s.page.getByTestId('history-model').inputValue(), 'tiny_yolo.h5');
    assert.equal(await s.page.getByTestId('history-metric').inputValue(), 'map50', 'a detector model charts mAP by default');
    // The table's score column is the detector's mAP@0.5 against the float boxes.
    assert.ok((await s.page.getByTestId('runs-table').locator('thead').innerText()).includes('mAP@0.5 vs float boxes'));
    assert.match(await s.page.locator('figcaption').first().innerText(), /bigger point = higher mAP@0\.5 vs float boxes/);
    const row = s.page.getByTestId('runs-table').locator(`tr[data-run-id="${id}"]`);
    assert.equal(await row.getByTestId('run-accuracy').innerText(), `${(d.quantVsFloat.map50! * 100).toFixed(1)}%`);
    const options = await s.page.getByTestId('history-metric').locator('option').allInnerTexts();
    assert.ok(options.includes('mAP@0.5 vs float boxes') && options.includes('mAP@0.5 on labels'), options.join(', '));
    // Compared side by side: the second run (labels) adds mAP on labels.
    const rows = s.page.getByTestId('runs-table').locator('tbody tr');
    await rows.nth(0).getByRole('checkbox').check();
    await rows.nth(1).getByRole('checkbox').check();
    await s.page.getByRole('button', { name: 'Compare 2 selected' }).click();
    const table = s.page.getByTestId('compare-table');
    await table.waitFor();
    assert.match(await table.locator('tr', { hasText: 'mAP@0.5 vs float boxes' }).innerText(), new RegExp(`${d.quantVsFloat.map50!.toFixed(3)}`));
    assert.match(await table.locator('tr', { hasText: 'mAP@0.5 on labels' }).first().innerText(), new RegExp(`${d.quantVsLabels!.map50!.toFixed(3)}`));
    await s.page.getByTestId('chart-time').waitFor();
    assert.ok((await paintedPixels(s.page, 'chart-time')) > 500, 'the mAP chart is drawn');
    await s.page.getByTestId('chart-time').scrollIntoViewIfNeeded();
    await s.page.screenshot({ path: join(screenshotDir, 'detect-history-map.png') });
    assert.deepEqual(s.consoleErrors, []);
  });
  test('the detector fixes measured in the run are on its page; "Quantize with split" makes a run whose boxes and scores each have their SQNR, and History compares the two', async () => {
    const base = runRecord(projectDir, firstRun);
    const rec = base.detectorFix!.recommendation!;
    assert.equal(base.detectorFix!.applied, 'none');
    await openRoute(s.page, s.host.url, `#/runs/${encodeURIComponent(firstRun)}`);
    const panel = s.page.getByTestId('detector-fix');
    await panel.waitFor({ timeout: 20_000 });
    assert.match(await panel.getByTestId('fix-applied').innerText(), /This file: none/);
    const rows = panel.getByTestId('fix-table').locator('tbody tr');
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-fix'))), rec.fixes.map((f) => f.fix));
    const best = panel.locator(`tr[data-fix="${rec.best}"]`);
    assert.match(await best.innerText(), /recommended/);
    // The figures are the record's: mAP against the float boxes and SQNR per group of the output.
    const split = rec.fixes.find((f) => f.fix === 'split')!;
    const splitRow = await panel.locator('tr[data-fix="split"]').innerText();
    assert.ok(splitRow.includes(split.map50!.toFixed(3)), splitRow);
    for (const p of split.parts) assert.ok(splitRow.includes(`${p.name.slice(p.name.lastIndexOf(':') + 1)} ${p.sqnrDb.toFixed(1)} dB`), `${splitRow} names ${p.name}`);
    assert.equal(await panel.locator('tr[data-fix="none"]').getByTestId('fix-rerun').count(), 0, 'no button for the fix the file already has');
    // The SQNR tile judges the output's groups apart: the joined figure would hide the scores.
    const baseOutputs = base.validation!.outputs!;
    assert.deepEqual(baseOutputs.map((o) => o.label), ['boxes', 'scores']);
    assert.equal(await s.page.getByTestId('result-sqnr-outputs').innerText(), baseOutputs.map((o) => `${o.label} ${o.sqnrDb!.toFixed(1)} dB`).join(' · '));
    await panel.scrollIntoViewIfNeeded();
    await s.page.screenshot({ path: join(screenshotDir, 'detect-fix-panel.png') });

    await panel.locator('tr[data-fix="split"]').getByTestId('fix-rerun').click();
    await s.page.getByTestId('fix-rerun-status').waitFor();
    await s.page.waitForURL(/#\/history\?compare=/, { timeout: 120_000 });
    const compare = s.page.getByTestId('compare-table');
    await compare.waitFor();
    const ids = decodeURIComponent(/compare=([^&]*)/.exec(s.page.url())![1]!).split(',');
    assert.equal(ids[1], firstRun);
    const run = runRecord(projectDir, ids[0]!);
    assert.equal(run.status, 'succeeded');
    assert.equal(run.detectorFix?.applied, 'split');
    assert.match(run.label ?? '', /\+ detector fix split$/);
    assert.equal(run.config.request?.detectorFix, 'split');
    assert.equal(run.config['evaluateData'], base.config['evaluateData'], 'validated on the same photos');
    assert.match(await compare.locator('tr', { hasText: 'mAP@0.5 vs float boxes' }).innerText(), new RegExp(run.detection!.quantVsFloat.map50!.toFixed(3)));
    // The lowest group's SQNR, compared: the scores gain what the shared scale cost them.
    assert.ok(run.metrics['sqnrDb']! > base.metrics['sqnrDb']! + 10, `SQNR ${base.metrics['sqnrDb']} → ${run.metrics['sqnrDb']} dB`);
    assert.match(await compare.locator('tr', { hasText: 'SQNR against float' }).innerText(), new RegExp(run.metrics['sqnrDb']!.toFixed(1)));
    await s.page.screenshot({ path: join(screenshotDir, 'detect-fix-compare.png') });

    // The split run's page: SQNR per group (the run's figure is the lower), its boxes decoded as before.
    await openRoute(s.page, s.host.url, `#/runs/${encodeURIComponent(run.id)}`);
    await s.page.getByTestId('detection-view').waitFor({ timeout: 20_000 });
    const outputs = run.validation!.outputs!;
    assert.deepEqual(outputs.map((o) => o.label), ['boxes', 'scores']);
    assert.equal(await s.page.getByTestId('result-sqnr-outputs').innerText(), outputs.map((o) => `${o.label} ${o.sqnrDb!.toFixed(1)} dB`).join(' · '));
    assert.equal(await s.page.getByTestId('result-sqnr').innerText(), `${Math.min(...outputs.map((o) => o.sqnrDb!)).toFixed(1)} dB`);
    assert.match(await s.page.getByTestId('fix-applied').innerText(), /This file: split .*_boxes.*_scores/);
    assert.equal(await s.page.getByTestId('detect-map50').innerText(), run.detection!.quantVsFloat.map50!.toFixed(3));
    await s.page.locator('main').evaluate((main) => main.scrollTo(0, 0));
    await s.page.screenshot({ path: join(screenshotDir, 'detect-split-run-page.png') });

    // The Quantize form offers the fix for a detector, measuring by default.
    await openRoute(s.page, s.host.url, '#/quantize');
    await s.page.getByTestId('task-fields').waitFor();
    assert.equal(await s.page.locator('select[name="detector-fix"]').inputValue(), 'measure');
    assert.deepEqual(await s.page.locator('select[name="detector-fix"] option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)), ['measure', 'split', 'head-int16', 'head-float', 'none']);
    await s.page.locator('select[name="task"]').selectOption('classify');
    assert.equal(await s.page.locator('select[name="detector-fix"]').count(), 0, 'no detector fix for a classifier');
    await s.page.locator('select[name="task"]').selectOption('auto');
    assert.deepEqual(s.consoleErrors, []);
  });
  test('the Search page applies a detector fix to every candidate: split int8 meets an SQNR budget on the scores group, and its run is a split file', async () => {
    const scores = runRecord(projectDir, firstRun).validation!.outputs!.find((o) => o.label === 'scores')!.name;
    await openRoute(s.page, s.host.url, '#/search');
    await s.page.getByRole('heading', { name: /Search under an accuracy budget/ }).waitFor();
    await s.page.locator('input[name="search-calibration"]').fill(photos);
    await s.page.locator('select[name="search-preprocess"]').selectOption('0..1');
    await s.page.locator('input[name="search-data"]').fill(coral);
    await s.page.getByRole('radio', { name: /SQNR against float/ }).check();
    await s.page.locator('input[name="search-threshold"]').fill('30');
    await s.page.locator('input[name="search-output"]').fill(scores);
    for (const kind of ['fp16', 'dynamic', 'int8', 'int8-gptq', 'int16x8', 'int8-mixed']) await s.page.locator(`input[name="candidate-${kind}"]`).setChecked(kind === 'int8');
    assert.equal(await s.page.locator('select[name="search-detector-fix"]').inputValue(), 'none');
    await s.page.locator('select[name="search-detector-fix"]').selectOption('split');
    await s.page.getByTestId('search-fix-hint').waitFor();
    await s.page.getByRole('button', { name: 'Start search' }).click();
    await s.page.getByTestId('search-verdict').waitFor({ timeout: 120_000 });
    const verdict = await s.page.getByTestId('search-verdict').innerText();
    assert.match(verdict, /INT8 full integer meets sqnr\[[^\]]+_scores\]>=30/, verdict);
    const row = s.page.getByTestId('search-table').locator('tr[data-candidate="int8"]');
    assert.match(await row.innerText(), /\tmet\t/);
    const href = await row.getByRole('link', { name: 'open run' }).getAttribute('href');
    const run = runRecord(projectDir, decodeURIComponent(href!.replace('#/runs/', '')));
    assert.equal(run.config.request?.detectorFix, 'split');
    const file = join(projectDir, 'runs', run.id, run.artifacts.find((a) => a.kind === 'tflite')!.name);
    assert.deepEqual(mainGraph(readTflite(new Uint8Array(readFileSync(file)))).outputs, [scores.replace(/_scores$/, '_boxes'), scores], 'the file written is split');
    await s.page.getByTestId('search-verdict').evaluate((el) => el.scrollIntoView());
    await s.page.screenshot({ path: join(screenshotDir, 'detect-search-split.png') });
    assert.deepEqual(s.consoleErrors, []);
  });
});
