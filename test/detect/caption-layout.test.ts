// The detection view's caption layout (src-renderer/features/detect/caption-layout.ts): no two
// caption chips overlap, each stays in the picture and next to its box, a box at the picture's
// top gets its chip inside its top edge, a crowd's lowest scores go to hover; the chip colours
// keep their text readable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contrastRatio, layoutCaptions, overlaps, textColourOn, type CaptionBox, type CaptionPlacement } from '../../src-renderer/features/detect/caption-layout';
import { BOX_PALETTE } from '../../src-renderer/features/detect/boxes';
import { seededRandom } from '../../src-main/seeded-random';

const frame = { w: 220, h: 220 };
const chip = { w: 60, h: 14 };
const box = (x1: number, y1: number, x2: number, y2: number, score = 0.5): CaptionBox => ({ x1, y1, x2, y2, score });

function assertNoOverlap(placements: CaptionPlacement[], gap: number): void {
  const shown = placements.filter((p) => p.spot !== 'hover-only');
  shown.forEach((a, i) => {
    assert.ok(a.rect.x >= 0 && a.rect.y >= 0 && a.rect.x + a.rect.w <= frame.w + 1e-9 && a.rect.y + a.rect.h <= frame.h + 1e-9, `chip ${i} in the picture: ${JSON.stringify(a.rect)}`);
    shown.slice(i + 1).forEach((b, k) => assert.ok(!overlaps(a.rect, b.rect), `chips ${i} and ${i + 1 + k} overlap: ${JSON.stringify(a.rect)} ${JSON.stringify(b.rect)}`));
    // Kept apart by the gap too (touching chips would read as one).
    shown.slice(i + 1).forEach((b) => assert.ok(!overlaps(a.rect, b.rect, gap - 1e-9)));
  });
}

test('two boxes at the same corner: the higher score sits above its box, the other moves off it', () => {
  const placements = layoutCaptions([box(40, 80, 120, 160, 0.6), box(42, 82, 118, 150, 0.9)], [chip, chip], frame, 1);
  assert.equal(placements[1]!.spot, 'above');
  assert.deepEqual(placements[1]!.rect, { x: 42, y: 68, w: 60, h: 14 });
  assert.notEqual(placements[0]!.spot, 'hover-only');
  assertNoOverlap(placements, 1);
});

test('a box at the top of the picture gets its chip inside its top edge; one at the right edge ends at the edge', () => {
  const [top, right] = layoutCaptions([box(10, 0, 90, 60), box(190, 100, 220, 140)], [chip, chip], frame, 1);
  assert.equal(top!.spot, 'inside-top');
  assert.deepEqual(top!.rect, { x: 10, y: 0, w: 60, h: 14 });
  assert.equal(right!.spot, 'above');
  assert.equal(right!.rect.x + right!.rect.w, 220, 'right-aligned to the picture edge');
});

test('a crowd of equal boxes: captions that find no free spot are on hover only, the rest never overlap', () => {
  const boxes = Array.from({ length: 30 }, (_, i) => box(100, 100, 140, 130, 1 - i / 100));
  const placements = layoutCaptions(boxes, boxes.map(() => chip), frame, 1);
  assertNoOverlap(placements, 1);
  const hover = placements.filter((p) => p.spot === 'hover-only');
  assert.ok(hover.length > 0 && hover.length < boxes.length, `${hover.length} of ${boxes.length} on hover`);
  // The highest scores are the ones shown.
  const firstHidden = placements.findIndex((p) => p.spot === 'hover-only');
  assert.ok(placements.slice(firstHidden).every((p) => p.spot === 'hover-only'), 'lower scores give way');
  // A hover-only chip still has a place to show: above its box, in the picture.
  for (const p of hover) assert.deepEqual(p.rect, { x: 100, y: 86, w: 60, h: 14 });
});

test('random boxes (seeded): no two shown chips overlap, each is within two chip heights of its box', () => {
  const next = seededRandom(7);
  for (let round = 0; round < 200; round++) {
    const n = 1 + Math.floor(next() * 25);
    const boxes = Array.from({ length: n }, () => {
      const x1 = next() * 200;
      const y1 = next() * 200;
      return box(x1, y1, Math.min(220, x1 + 5 + next() * 100), Math.min(220, y1 + 5 + next() * 100), next());
    });
    const sizes = boxes.map(() => ({ w: 30 + next() * 60, h: 14 }));
    const placements = layoutCaptions(boxes, sizes, frame, 1);
    assertNoOverlap(placements, 1);
    placements.forEach((p, i) => {
      assert.deepEqual([p.rect.w, p.rect.h], [sizes[i]!.w, sizes[i]!.h]);
      const b = boxes[i]!;
      const reach = 2 * (14 + 1) + 14;
      assert.ok(p.rect.y + p.rect.h >= b.y1 - reach - 1e-9 && p.rect.y <= b.y2 + reach + 1e-9, `round ${round} chip ${i} near its box`);
    });
  }
});

test('caption chips: text in black or white reads on every class colour (WCAG contrast ≥ 4.5)', () => {
  for (const colour of BOX_PALETTE) {
    const ratio = contrastRatio(colour, textColourOn(colour));
    assert.ok(ratio >= 4.5, `${colour}: ${textColourOn(colour)} at ${ratio.toFixed(2)}`);
  }
  assert.equal(textColourOn('#000000'), '#ffffff');
  assert.equal(textColourOn('#ffffff'), '#000000');
  assert.equal(contrastRatio('#000000', '#ffffff'), 21);
});
