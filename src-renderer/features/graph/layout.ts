// A layered layout of a model graph, top to bottom (the way Netron draws one): longest-path
// layering, dummy points on edges that span layers, barycentric ordering sweeps to cut crossings,
// then x positions pulled towards the neighbours' centres without overlaps. Pure and fast enough
// for thousands of ops (blazepose-heavy's 295 ops: a few ms).
import type { GraphView } from '../../../src-main/graph-view/types';

export const NODE_W = 160;
export const NODE_H = 40;
const INPUT_H = 30;
const DUMMY_W = 12;
const GAP_X = 24;
const GAP_Y = 44;
const SWEEPS = 6;

export interface LaidOutNode {
  /** Index in GraphView.nodes, or -1 - i for the graph's i-th input. */
  index: number;
  kind: 'op' | 'input';
  /** Centre. */
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface LaidOutEdge {
  from: number;
  to: number;
  /** SVG path data (vertical cubic segments through the edge's dummy points). */
  d: string;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

export interface GraphLayout {
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  width: number;
  height: number;
  /** Position in `nodes` of each GraphView node index. */
  slotOfNode: Map<number, number>;
}

interface Vertex {
  node?: LaidOutNode;
  layer: number;
  w: number;
  x: number;
  preds: number[];
  succs: number[];
}

/** The edges between ops (and graph inputs) that carry activations: constants are not drawn. */
function graphEdges(view: GraphView): { count: number; edges: [number, number][]; kinds: LaidOutNode['kind'][]; indices: number[] } {
  const kinds: LaidOutNode['kind'][] = [];
  const indices: number[] = [];
  const producer = new Map<number, number>();
  view.inputs.forEach((tensor, i) => {
    producer.set(tensor, kinds.length);
    kinds.push('input');
    indices.push(-1 - i);
  });
  const firstOp = kinds.length;
  view.nodes.forEach((node, i) => {
    for (const t of node.outputs) producer.set(t, firstOp + i);
    kinds.push('op');
    indices.push(i);
  });
  const seen = new Set<string>();
  const edges: [number, number][] = [];
  view.nodes.forEach((node, i) => {
    for (const t of node.inputs) {
      if (t === null || view.tensors[t]?.constant) continue;
      const from = producer.get(t);
      const key = `${from}:${i}`;
      if (from === undefined || from === firstOp + i || seen.has(key)) continue;
      seen.add(key);
      edges.push([from, firstOp + i]);
    }
  });
  return { count: kinds.length, edges, kinds, indices };
}

/** Longest path from the sources; edges are followed in topological order (Kahn), cycles cut. */
function layers(count: number, edges: [number, number][]): number[] {
  const layer = new Array<number>(count).fill(0);
  const indegree = new Array<number>(count).fill(0);
  const out: number[][] = Array.from({ length: count }, () => []);
  for (const [a, b] of edges) {
    out[a]!.push(b);
    indegree[b]!++;
  }
  const queue = indegree.flatMap((d, i) => (d === 0 ? [i] : []));
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (const w of out[v]!) {
      layer[w] = Math.max(layer[w]!, layer[v]! + 1);
      if (--indegree[w]! === 0) queue.push(w);
    }
  }
  return layer;
}

/** Order inside each layer by the mean position of the neighbours in the layer just swept. */
function sweep(rows: number[][], vertices: Vertex[], down: boolean): void {
  const position = new Map<number, number>();
  const range = down ? rows.keys() : [...rows.keys()].reverse();
  for (const l of range) {
    const row = rows[l]!;
    const key = row.map((v, i) => {
      const around = down ? vertices[v]!.preds : vertices[v]!.succs;
      const known = around.map((u) => position.get(u)).filter((p): p is number => p !== undefined);
      return known.length ? known.reduce((a, b) => a + b, 0) / known.length : i;
    });
    const order = row.map((v, i) => ({ v, k: key[i]!, i })).sort((a, b) => a.k - b.k || a.i - b.i);
    rows[l] = order.map((o) => o.v);
    rows[l]!.forEach((v, i) => position.set(v, i));
  }
}

/** x near each vertex's desired centre, in row order, at least GAP_X apart (mean of a left and a right packing). */
function place(row: number[], vertices: Vertex[], desired: number[]): void {
  const n = row.length;
  const left = new Array<number>(n);
  const right = new Array<number>(n);
  const gap = (i: number) => vertices[row[i]!]!.w / 2 + GAP_X + vertices[row[i + 1]!]!.w / 2;
  for (let i = 0; i < n; i++) left[i] = i === 0 ? desired[0]! : Math.max(desired[i]!, left[i - 1]! + gap(i - 1));
  for (let i = n - 1; i >= 0; i--) right[i] = i === n - 1 ? desired[i]! : Math.min(desired[i]!, right[i + 1]! - gap(i));
  for (let i = 0; i < n; i++) vertices[row[i]!]!.x = (left[i]! + right[i]!) / 2;
}

function positions(rows: number[][], vertices: Vertex[]): void {
  for (const row of rows) {
    let x = 0;
    for (const v of row) {
      vertices[v]!.x = x + vertices[v]!.w / 2;
      x += vertices[v]!.w + GAP_X;
    }
  }
  for (let pass = 0; pass < 4; pass++) {
    const down = pass % 2 === 0;
    const order = down ? [...rows.keys()] : [...rows.keys()].reverse();
    for (const l of order) {
      const row = rows[l]!;
      const desired = row.map((v) => {
        const around = down ? vertices[v]!.preds : vertices[v]!.succs;
        return around.length ? around.reduce((a, u) => a + vertices[u]!.x, 0) / around.length : vertices[v]!.x;
      });
      place(row, vertices, desired);
    }
  }
}

function edgePath(points: { x: number; y: number }[]): string {
  let d = `M${points[0]!.x.toFixed(1)},${points[0]!.y.toFixed(1)}`;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const my = ((a.y + b.y) / 2).toFixed(1);
    d += `C${a.x.toFixed(1)},${my} ${b.x.toFixed(1)},${my} ${b.x.toFixed(1)},${b.y.toFixed(1)}`;
  }
  return d;
}

export function layoutGraph(view: GraphView): GraphLayout {
  const { count, edges, kinds, indices } = graphEdges(view);
  const layer = layers(count, edges);
  const vertices: Vertex[] = kinds.map((kind, i) => ({
    node: { index: indices[i]!, kind, x: 0, y: 0, w: NODE_W, h: kind === 'input' ? INPUT_H : NODE_H },
    layer: layer[i]!,
    w: NODE_W,
    x: 0,
    preds: [],
    succs: [],
  }));
  // Edges spanning several layers go through one dummy vertex per layer crossed.
  const chains: number[][] = [];
  for (const [a, b] of edges) {
    const chain = [a];
    for (let l = layer[a]! + 1; l < layer[b]!; l++) {
      vertices.push({ layer: l, w: DUMMY_W, x: 0, preds: [], succs: [] });
      chain.push(vertices.length - 1);
    }
    chain.push(b);
    for (let i = 1; i < chain.length; i++) {
      vertices[chain[i - 1]!]!.succs.push(chain[i]!);
      vertices[chain[i]!]!.preds.push(chain[i - 1]!);
    }
    chains.push(chain);
  }
  const depth = vertices.reduce((m, v) => Math.max(m, v.layer), 0) + 1;
  const rows: number[][] = Array.from({ length: depth }, () => []);
  vertices.forEach((v, i) => rows[v.layer]!.push(i));
  for (let s = 0; s < SWEEPS; s++) sweep(rows, vertices, s % 2 === 0);
  positions(rows, vertices);
  const minX = vertices.reduce((m, v) => Math.min(m, v.x - v.w / 2), Infinity);
  const rowY = (l: number) => l * (NODE_H + GAP_Y) + NODE_H / 2;
  const nodes: LaidOutNode[] = [];
  for (const v of vertices) {
    v.x -= minX;
    if (v.node) nodes.push(Object.assign(v.node, { x: v.x, y: rowY(v.layer) }));
  }
  const laidEdges = chains.map((chain): LaidOutEdge => {
    const points = chain.map((v, i) => {
      const vertex = vertices[v]!;
      const h = vertex.node?.h ?? 0;
      return { x: vertex.x, y: rowY(vertex.layer) + (i === 0 ? h / 2 : i === chain.length - 1 ? -h / 2 : 0) };
    });
    const xs = points.map((p) => p.x);
    return { from: chain[0]!, to: chain[chain.length - 1]!, d: edgePath(points), minX: Math.min(...xs), maxX: Math.max(...xs), minY: points[0]!.y, maxY: points[points.length - 1]!.y };
  });
  const width = vertices.reduce((m, v) => Math.max(m, v.x + v.w / 2), 0);
  const slotOfNode = new Map(nodes.map((n, slot) => [n.index, slot]));
  return { nodes, edges: laidEdges, width, height: depth * (NODE_H + GAP_Y) - GAP_Y, slotOfNode };
}
