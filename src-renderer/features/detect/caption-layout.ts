// Where each box's caption chip (class + score) goes on a detection picture so that no two
// chips overlap: greedy, most confident box first, each chip at the first free spot of a fixed
// order around its box (above the top edge, inside it, below the bottom edge, inside it, then
// shifted further up / down); a chip with no free spot is shown only on hover. All in the
// picture's coordinates (SVG user units = input pixels).

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface CaptionBox {
  /** The box, already clamped to the picture. */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
}

export type CaptionSpot = 'above' | 'inside-top' | 'below' | 'inside-bottom' | 'shifted' | 'hover-only';

export interface CaptionPlacement {
  /** Where the chip is drawn (hover-only: where it shows while the box is hovered). */
  rect: Rect;
  spot: CaptionSpot;
}

export const overlaps = (a: Rect, b: Rect, gap = 0): boolean =>
  a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h + gap && b.y < a.y + a.h + gap;

/** How far beyond the box (in chip heights) a shifted chip may go, so it still reads as the box's. */
const MAX_SHIFT = 2;

/**
 * One placement per box (same order as `boxes`). `sizes[i]`: box i's chip size; `gap`: the
 * least distance kept between two chips. Boxes are placed highest score first (ties: earlier first).
 */
export function layoutCaptions(boxes: readonly CaptionBox[], sizes: readonly { w: number; h: number }[], frame: { w: number; h: number }, gap: number): CaptionPlacement[] {
  const order = boxes.map((b, i) => ({ b, i })).sort((p, q) => q.b.score - p.b.score || p.i - q.i);
  const placed: Rect[] = [];
  const out: CaptionPlacement[] = new Array<CaptionPlacement>(boxes.length);
  for (const { b, i } of order) {
    const { w, h } = sizes[i]!;
    const step = h + gap;
    const clampX = (x: number) => Math.min(Math.max(x, 0), Math.max(frame.w - w, 0));
    const xs = [clampX(b.x1), clampX(b.x2 - w)];
    const ys: { y: number; spot: CaptionSpot }[] = [
      { y: b.y1 - h, spot: 'above' },
      { y: b.y1, spot: 'inside-top' },
      { y: b.y2, spot: 'below' },
      { y: b.y2 - h, spot: 'inside-bottom' },
    ];
    for (let k = 1; k <= MAX_SHIFT; k++) ys.push({ y: b.y1 - h - k * step, spot: 'shifted' }, { y: b.y2 + k * step, spot: 'shifted' });
    // Down the inside of a tall box, one chip height at a time.
    for (let y = b.y1 + step; y + h <= b.y2 - h; y += step) ys.push({ y, spot: 'shifted' });
    const fits = (r: Rect) => r.w <= frame.w && r.y >= 0 && r.y + r.h <= frame.h && !placed.some((p) => overlaps(p, r, gap));
    let found: CaptionPlacement | undefined;
    for (const { y, spot } of ys) {
      const x = xs.find((x) => fits({ x, y, w, h }));
      if (x !== undefined) {
        found = { rect: { x, y, w, h }, spot };
        break;
      }
    }
    if (found) placed.push(found.rect);
    // No free spot: on hover the chip shows above the box, or inside its top edge at the picture's top.
    out[i] = found ?? { rect: { x: xs[0]!, y: b.y1 - h >= 0 ? b.y1 - h : Math.min(b.y1, Math.max(frame.h - h, 0)), w, h }, spot: 'hover-only' };
  }
  return out;
}

/** WCAG relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const channel = (k: number) => {
    const v = parseInt(hex.slice(1 + 2 * k, 3 + 2 * k), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** WCAG contrast ratio of two #rrggbb colours (1..21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Black or white, whichever reads better on `background`. */
export const textColourOn = (background: string): string => (contrastRatio(background, '#000000') >= contrastRatio(background, '#ffffff') ? '#000000' : '#ffffff');
