// `x[...]` in a Keras functional model (SlicingOpLambda '__operators__.getitem'): Python
// slice specs with '...', ':', negative indices, steps, integers (drop the axis) and None
// (new axis), lowered to one STRIDED_SLICE over every input axis, plus a RESHAPE for new axes.
import type { OpArg } from '../op-call';
import type { Value } from '../builder';
import type { TfCall } from './tf-call';

type Item = { kind: 'slice'; start: number | null; stop: number | null; step: number } | { kind: 'index'; index: number } | { kind: 'ellipsis' } | { kind: 'newaxis' };

function optionalInt(c: TfCall, v: OpArg | undefined, what: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return c.fail(`slice ${what} ${JSON.stringify(v)} is not a constant integer.`);
}

function parseItem(c: TfCall, v: OpArg): Item {
  if (v === null) return { kind: 'newaxis' };
  if (typeof v === 'number' && Number.isInteger(v)) return { kind: 'index', index: v };
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, OpArg>;
    const cls = o['class_name'];
    if (cls === '__ellipsis__') return { kind: 'ellipsis' };
    if (cls === '__slice__') {
      const cfg = (o['config'] ?? {}) as Record<string, OpArg>;
      const step = optionalInt(c, cfg['step'], 'step') ?? 1;
      if (step === 0) c.fail('slice step 0 is invalid.');
      return { kind: 'slice', start: optionalInt(c, cfg['start'], 'start'), stop: optionalInt(c, cfg['stop'], 'stop'), step };
    }
  }
  return c.fail(`slice item ${JSON.stringify(v)} is not supported (only integers, ':', '...' and None).`);
}

/** Resolves one axis of a slice to TFLite begin/end/stride and its output length. */
function resolve(item: Extract<Item, { kind: 'slice' }>, dim: number): { begin: number; end: number; length: number } {
  const { step } = item;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, step > 0 ? 0 : -1), step > 0 ? dim : dim - 1);
  const begin = item.start === null ? (step > 0 ? 0 : dim - 1) : clamp(item.start);
  const end = item.stop === null ? (step > 0 ? dim : -1) : clamp(item.stop);
  return { begin, end, length: Math.max(0, Math.ceil((end - begin) / step)) };
}

export function lowerGetItem(c: TfCall): Value[] {
  const x = c.tensor('tensor');
  const spec = c.raw('slice_spec');
  const items = (Array.isArray(spec) ? spec : [spec ?? null]).map((v) => parseItem(c, v));
  const rank = x.shape.length;
  const used = items.filter((i) => i.kind === 'slice' || i.kind === 'index').length;
  if (items.filter((i) => i.kind === 'ellipsis').length > 1) c.fail('more than one ellipsis.');
  if (used > rank) c.fail(`${used} indices for a rank-${rank} tensor.`);
  // Expand '...' (or the implicit trailing one) into full slices.
  const full: Item[] = [];
  for (const item of items) {
    if (item.kind === 'ellipsis') for (let k = 0; k < rank - used; k++) full.push({ kind: 'slice', start: null, stop: null, step: 1 });
    else full.push(item);
  }
  while (full.filter((i) => i.kind !== 'newaxis').length < rank) full.push({ kind: 'slice', start: null, stop: null, step: 1 });
  const begin: number[] = [];
  const end: number[] = [];
  const strides: number[] = [];
  let shrink = 0;
  // Open ends use the masks: an explicit -1 end would mean 'the last element' to TFLite.
  let beginMask = 0;
  let endMask = 0;
  const sliced: number[] = [];
  const final: number[] = [];
  let axis = 0;
  for (const item of full) {
    if (item.kind === 'newaxis') {
      final.push(1);
      continue;
    }
    const dim = x.shape[axis]!;
    if (item.kind === 'index') {
      const i = item.index < 0 ? item.index + dim : item.index;
      if (i < 0 || i >= dim) c.fail(`index ${item.index} is out of range for axis ${axis} of size ${dim}.`);
      begin.push(i);
      end.push(i + 1);
      strides.push(1);
      shrink |= 1 << axis;
    } else if (item.kind === 'slice') {
      const r = resolve(item, dim);
      begin.push(r.begin);
      end.push(r.end);
      strides.push(item.step);
      if (item.start === null) beginMask |= 1 << axis;
      if (item.stop === null) endMask |= 1 << axis;
      sliced.push(r.length);
      final.push(r.length);
    }
    axis++;
  }
  const b = c.ctx.b;
  const ints = (label: string, v: number[]) => b.int32(c.ctx.t(`strided_slice/${label}`), v);
  const y = b.op(
    'STRIDED_SLICE',
    c.ctx.t('strided_slice'),
    [x, ints('begin', begin), ints('end', end), ints('strides', strides)],
    { beginMask, endMask, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: shrink, offset: false },
    sliced,
    x.dtype,
  );
  if (final.length === sliced.length) return [y];
  return [b.op('RESHAPE', c.ctx.t('newaxis'), [y, b.int32(c.ctx.t('newaxis/shape'), final)], { newShape: final }, final, x.dtype)];
}
