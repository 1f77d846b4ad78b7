// Row-major slicing and concatenation along one axis: a split model's outputs joined back into
// the original output's layout, and a concatenated output's channel groups cut out of it.

function strides(shape: readonly number[], axis: number): { outer: number; inner: number } {
  return { outer: shape.slice(0, axis).reduce((a, b) => a * b, 1), inner: shape.slice(axis + 1).reduce((a, b) => a * b, 1) };
}

/** `data` (of `shape`) restricted to [start, end) along `axis`. */
export function sliceAxis(data: Float32Array, shape: readonly number[], axis: number, start: number, end: number): Float32Array {
  const { outer, inner } = strides(shape, axis);
  const size = shape[axis]!;
  const out = new Float32Array(outer * (end - start) * inner);
  for (let o = 0; o < outer; o++) out.set(data.subarray((o * size + start) * inner, (o * size + end) * inner), o * (end - start) * inner);
  return out;
}

/** The parts (each of `shapes[i]`) joined along `axis`. */
export function concatAxis(parts: Float32Array[], shapes: readonly (readonly number[])[], axis: number): Float32Array {
  const { outer, inner } = strides(shapes[0]!, axis);
  const sizes = shapes.map((s) => s[axis]!);
  const total = sizes.reduce((a, b) => a + b, 0);
  const out = new Float32Array(outer * total * inner);
  for (let o = 0; o < outer; o++) {
    let at = o * total * inner;
    parts.forEach((p, i) => {
      const n = sizes[i]! * inner;
      out.set(p.subarray(o * n, (o + 1) * n), at);
      at += n;
    });
  }
  return out;
}
