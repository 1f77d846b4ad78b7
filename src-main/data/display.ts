// A sample's values as 8-bit pixels for display, in HWC order (what sharp takes raw): the
// calibration preview, the changed-prediction thumbnails and a detector run's pictures.

/** Where the values of a batch-1 image tensor lie: [1,H,W,C] (nchw false) or [1,C,H,W]. */
export interface PixelLayout {
  width: number;
  height: number;
  channels: 1 | 3;
  nchw: boolean;
}

/** The index in `values` of channel `c` of pixel `i` (row-major over H×W). */
export function valueIndex(layout: PixelLayout, i: number, c: number): number {
  return layout.nchw ? c * layout.width * layout.height + i : i * layout.channels + c;
}

/**
 * The values stretched from their own min..max to 0..255 (preprocessed data is rarely
 * 0..255), HWC. A constant sample is drawn black.
 */
export function stretchToBytes(values: Float32Array, layout: PixelLayout): Buffer {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min || 1;
  const plane = layout.width * layout.height;
  const pixels = Buffer.alloc(plane * layout.channels);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < layout.channels; c++) pixels[i * layout.channels + c] = Math.round(((values[valueIndex(layout, i, c)]! - min) / span) * 255);
  }
  return pixels;
}
