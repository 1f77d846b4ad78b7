// What every decoder takes and gives: raw (dequantized) outputs in, candidate boxes out.
import type { Detection } from '../boxes';

export interface RawOutput {
  name?: string;
  shape: number[];
  data: Float32Array;
}

export interface DecodeContext {
  /** The model input's width and height in pixels: boxes come out in these pixels. */
  inputWidth: number;
  inputHeight: number;
  /** Candidates scoring below this are dropped before NMS. */
  scoreThreshold: number;
  /** YOLO box units: input pixels, or 0..1 of the input (ultralytics' TFLite export); absent = told from the values. */
  boxScale?: BoxScale;
}

export type BoxScale = 'pixels' | 'normalized';

export type DecoderName = 'yolov8' | 'nanodet' | 'ssd';

export type Decoder = (outputs: RawOutput[], context: DecodeContext) => Detection[];

export const shapeText = (outputs: RawOutput[]) => outputs.map((o) => `[${o.shape.join(',')}]`).join(' ');
