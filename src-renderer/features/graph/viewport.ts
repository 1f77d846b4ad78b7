// Pan and zoom of a graph pane: screen = graph * k + (tx, ty). Pure helpers, so the pane
// component only wires events to them.
import type { GraphLayout, LaidOutEdge, LaidOutNode } from './layout';

export interface Viewport {
  k: number;
  tx: number;
  ty: number;
}

export const MIN_ZOOM = 0.02;
export const MAX_ZOOM = 4;
const clampZoom = (k: number) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));

/** The whole graph in a w×h pane, at most at 1:1, centred; tall graphs start at their top. */
export function fitView(layout: GraphLayout, w: number, h: number, pad = 16): Viewport {
  const k = clampZoom(Math.min((w - 2 * pad) / Math.max(layout.width, 1), (h - 2 * pad) / Math.max(layout.height, 1), 1));
  return { k, tx: (w - layout.width * k) / 2, ty: Math.max(pad, (h - layout.height * k) / 2) };
}

/**
 * Where a graph opens: its top (the inputs), at 1:1 or as wide as the pane allows but never below
 * a zoom whose labels are readable (a tall graph is read by scrolling, as in Netron).
 */
export function startView(layout: GraphLayout, w: number, h: number, pad = 16): Viewport {
  const whole = fitView(layout, w, h, pad);
  if (layout.height * whole.k >= h * 0.5 && whole.k >= 0.45) return whole;
  const k = Math.min(1, Math.max(0.45, (w - 2 * pad) / Math.max(layout.width, 1)));
  const first = layout.nodes[0];
  const tx = layout.width * k <= w - 2 * pad ? (w - layout.width * k) / 2 : w / 2 - (first?.x ?? 0) * k;
  return { k, tx, ty: pad };
}

/** Zoom by `factor` keeping the graph point under (px, py) in place. */
export function zoomAt(v: Viewport, factor: number, px: number, py: number): Viewport {
  const k = clampZoom(v.k * factor);
  const f = k / v.k;
  return { k, tx: px - (px - v.tx) * f, ty: py - (py - v.ty) * f };
}

/** Centre a graph point in the pane, zooming in to at least `minK` so its label is readable. */
export function centreOn(v: Viewport, x: number, y: number, w: number, h: number, minK = 0.8): Viewport {
  const k = Math.max(v.k, minK);
  return { k, tx: w / 2 - x * k, ty: h / 2 - y * k };
}

/** The graph rectangle the pane shows, grown by `margin` screen pixels. */
export function visibleRect(v: Viewport, w: number, h: number, margin = 100): { x0: number; y0: number; x1: number; y1: number } {
  return { x0: (-v.tx - margin) / v.k, y0: (-v.ty - margin) / v.k, x1: (w - v.tx + margin) / v.k, y1: (h - v.ty + margin) / v.k };
}

/** Only what intersects the visible rectangle is put in the DOM (a big graph stays fluid). */
export function cull(layout: GraphLayout, v: Viewport, w: number, h: number): { nodes: LaidOutNode[]; edges: LaidOutEdge[] } {
  const r = visibleRect(v, w, h);
  const nodes = layout.nodes.filter((n) => n.x + n.w / 2 >= r.x0 && n.x - n.w / 2 <= r.x1 && n.y + n.h / 2 >= r.y0 && n.y - n.h / 2 <= r.y1);
  const edges = layout.edges.filter((e) => e.maxX >= r.x0 && e.minX <= r.x1 && e.maxY >= r.y0 && e.minY <= r.y1);
  return { nodes, edges };
}
