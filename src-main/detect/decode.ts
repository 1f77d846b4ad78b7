// Raw outputs → final boxes: pick the decoder (or recognise it from the output shapes), keep
// candidates above the score threshold, then per-class NMS.
import { nonMaxSuppression, type Detection } from './boxes';
import { DetectInputError } from './errors';
import { decodeNanodet, nanodetLevels } from './decoders/nanodet';
import { decodeSsd, ssdOutputs } from './decoders/ssd';
import { shapeText, type BoxScale, type Decoder, type DecoderName, type RawOutput } from './decoders/types';
import { decodeYolov8, yoloLayout } from './decoders/yolov8';

export interface DetectOptions {
  decoder: DecoderName | 'auto';
  inputWidth: number;
  inputHeight: number;
  scoreThreshold: number;
  iouThreshold: number;
  maxDetections: number;
  /** YOLO box units; absent or 'auto': told from each output's values. */
  boxScale?: BoxScale | 'auto';
}

export const DEFAULT_DETECT = { scoreThreshold: 0.25, iouThreshold: 0.45, maxDetections: 100 } as const;

const DECODERS: Readonly<Record<DecoderName, Decoder>> = { yolov8: decodeYolov8, nanodet: decodeNanodet, ssd: decodeSsd };

/** The decoder the output shapes call for, from shapes alone (no values). */
export function chooseDecoder(shapes: number[][], inputWidth: number, inputHeight: number): DecoderName {
  const outputs = shapes.map((shape) => ({ shape, data: new Float32Array(0) }));
  if (outputs.length === 1 && yoloLayout(shapes[0]!)) return 'yolov8';
  if (nanodetLevels(outputs, inputWidth, inputHeight)) return 'nanodet';
  if (outputs.some((o) => o.shape.length === 3 && o.shape[2] === 4) && shapes.length >= 2 && shapes.length <= 4) return 'ssd';
  throw new DetectInputError(`Cannot tell the detector head from its outputs ${shapeText(outputs)}; pass --decoder yolov8|nanodet|ssd.`);
}

export function detect(outputs: RawOutput[], options: DetectOptions): Detection[] {
  const name = options.decoder === 'auto' ? chooseDecoder(outputs.map((o) => o.shape), options.inputWidth, options.inputHeight) : options.decoder;
  const scale = options.boxScale && options.boxScale !== 'auto' ? { boxScale: options.boxScale } : {};
  const candidates = DECODERS[name](outputs, { inputWidth: options.inputWidth, inputHeight: options.inputHeight, scoreThreshold: options.scoreThreshold, ...scale });
  return nonMaxSuppression(candidates, options);
}

/** Width and height of an image input, NHWC or NCHW (channels 1 or 3 next to the batch). */
export function inputSize(shape: number[]): { width: number; height: number } {
  if (shape.length !== 4) throw new DetectInputError(`A detector takes one image input [1, H, W, C] or [1, C, H, W]; this one is [${shape.join(',')}].`);
  const nchw = (shape[1] === 1 || shape[1] === 3) && shape[3] !== 1 && shape[3] !== 3;
  return nchw ? { width: shape[3]!, height: shape[2]! } : { width: shape[2]!, height: shape[1]! };
}

export { ssdOutputs };
