// The concrete sample sources: a folder of images (decoded and preprocessed one at a time),
// a .npy of N samples and a .npz with one array per model input. Files are read through the
// run's DataReader: whole when they fit its memory bound (hashed and kept for the run's later
// stages), else rows are read lazily from disk (a counted read).
import { stat } from 'node:fs/promises';
import { basename, relative } from 'node:path';
import { folderIndices } from './class-names';
import { decodeImage, listImages, type ImageEntry } from './images';
import { npyInMemory, npyToFloat32, openNpy, parseNpy, type NpyArray, type NpyFile } from './npy';
import { openNpz, parseNpz, type NpzArchive } from './npz';
import type { DataReader } from './reader';
import { preprocessPixels, type Preprocessing } from './preprocess';
import { CancelledError } from '../errors';
import { CalibrationDataError, fitsSample, sampleShape, type InputSpec, type Sample } from './dataset';

export interface Source {
  description: string;
  available: number;
  classes?: string[];
  /** Labels from the source itself (image folders, a `labels` array in a .npz). */
  labels?: number[];
  /** The sample at index i (0 ≤ i < available). */
  read(index: number): Promise<Sample>;
  /** Data that is already real-valued float (not pixels) and so can be range-checked. */
  isFloatData: boolean;
  /** The source keeps its own compact decoded form in the reader (image pixels), so the dataset keeps no float copy. */
  keepsDecoded?: boolean;
  close(): Promise<void>;
}

function shapeText(shape: number[]): string {
  return `[${shape.join(',')}]`;
}

/** Class names in the model's output order (a labels/classes file, class-names.ts). */
export interface ClassNames {
  names: string[];
  file: string;
}

export async function imageSource(dir: string, inputs: InputSpec[], preprocessing: Preprocessing, reader: DataReader, classNames?: ClassNames): Promise<Source> {
  const input = inputs[0]!;
  // [1, H, W, 1|3], or [1, H, W] for gray images read row by row (sequence models).
  const [, height, width, channels = 1] = input.shape;
  const rank = input.shape.length;
  if (inputs.length !== 1 || (rank !== 4 && rank !== 3) || (channels !== 1 && channels !== 3)) {
    throw new CalibrationDataError(`An image folder needs a model with one image input [1,H,W,1|3] or [1,H,W]; this model takes ${inputs.map((i) => `${i.name} ${shapeText(i.shape)}`).join(', ')}. Use a .npy or .npz instead.`);
  }
  if (!(height! > 0 && width! > 0)) throw new CalibrationDataError(`Input '${input.name}' has a dynamic size ${shapeText(input.shape)}; pin it with --input-shape 1,H,W,C.`);
  const entries: ImageEntry[] = await listImages(dir);
  if (entries.length === 0) throw new CalibrationDataError(`No images (jpg, png, bmp, webp) in ${dir}.`);
  const labelled = entries.every((e) => e.label !== undefined);
  // A class-names file decides the order; else folders named 0, 1, 2… are class indices and
  // other names map to their sorted position.
  const names = labelled ? [...new Set(entries.map((e) => e.label!))] : undefined;
  const listed = names && classNames ? folderIndices(names, classNames.names, classNames.file) : undefined;
  const numeric = !listed && (names?.every((n) => /^\d+$/.test(n)) ?? false);
  const classes = listed ? classNames!.names : names?.sort((a, b) => (numeric ? Number(a) - Number(b) : a.localeCompare(b)));
  const labelOf = (name: string) => (listed ? listed.get(name)! : numeric ? Number(name) : classes!.indexOf(name));
  const target = { height: height!, width: width!, channels: channels as 1 | 3 };
  return {
    description: `${entries.length} image(s) in ${dir} (${preprocessing.name})`,
    available: entries.length,
    ...(classes ? { classes, labels: entries.map((e) => labelOf(e.label!)) } : {}),
    isFloatData: false,
    keepsDecoded: true,
    async read(index) {
      const entry = entries[index]!;
      // The decoded pixels are kept for the run's later passes, not the float sample: a quarter of
      // the bytes, already touched by the decoder (a fresh 600 kB float array per kept sample cost
      // ~2 ms in page faults here), and preprocessing them again is a table lookup per value.
      const key = `pixels|${entry.path}|${target.height}x${target.width}x${target.channels}`;
      let pixels = reader.decoded<Uint8Array>(key);
      if (!pixels) {
        pixels = await decodeImage(await reader.bytes(entry.path), entry.path, target);
        reader.keepDecoded(key, pixels, pixels.byteLength);
      }
      return { inputs: [preprocessPixels(pixels, target.channels, preprocessing)], source: basename(entry.path), file: relative(dir, entry.path) };
    },
    close: async () => {},
  };
}

/** Converts one sample's values to float32 as the input expects; pixels go through preprocessing. */
function toInputValues(array: NpyArray, input: InputSpec, file: string, preprocessing: Preprocessing | undefined): Float32Array {
  switch (array.dtype) {
    case 'float32':
    case 'float64':
      return npyToFloat32(array);
    case 'uint8': {
      if (input.dtype === 'uint8') return npyToFloat32(array);
      if (!preprocessing) break;
      // [.., 3] is RGB; anything else (e.g. [1, 28, 28] for a row-wise LSTM) is gray values.
      return preprocessPixels(array.data as Uint8Array, input.shape.at(-1) === 3 ? 3 : 1, preprocessing);
    }
    case 'int32':
    case 'int64':
      if (input.dtype.startsWith('int')) return npyToFloat32(array);
      break;
    default:
      break;
  }
  throw new CalibrationDataError(`${file}: ${array.dtype} data does not fit input '${input.name}' (${input.dtype}); save float32 samples (or uint8 pixels with --preprocess).`);
}

/**
 * Arrays up to this size are read whole (parsing copies them once more); larger ones are read
 * row by row, so memory stays flat however large the file.
 */
const WHOLE_ARRAY_BYTES = 64 * 1024 * 1024;

/** Whether to read `path` whole through the reader (small enough to keep) or row by row. */
async function whole(path: string, reader: DataReader): Promise<Uint8Array | undefined> {
  const { size } = await stat(path);
  if (size <= WHOLE_ARRAY_BYTES && reader.fits(path, size)) return reader.bytes(path);
  reader.countRead(path, size);
  return undefined;
}

/** An archive read whole: the same member interface over arrays in memory. */
function npzInMemory(bytes: Uint8Array, path: string): NpzArchive {
  const arrays = parseNpz(bytes, path);
  return {
    path,
    names: [...arrays.keys()],
    member: async (name) => npyInMemory(arrays.get(name)!, `${path}:${name}.npy`),
    close: async () => {},
  };
}

export async function npySource(path: string, inputs: InputSpec[], preprocessing: Preprocessing | undefined, reader: DataReader): Promise<Source> {
  if (inputs.length !== 1) throw new CalibrationDataError(`The model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); give a .npz with one array per input.`);
  const input = inputs[0]!;
  const bytes = await whole(path, reader);
  const file: NpyFile = bytes ? npyInMemory(parseNpy(bytes, path), path) : await openNpy(path);
  const shape = file.header.shape;
  const single = fitsSample(input, shape) && !fitsSample(input, shape.slice(1));
  if (!single && (shape.length === 0 || !fitsSample(input, shape.slice(1)))) {
    await file.close();
    throw new CalibrationDataError(`${basename(path)} has shape ${shapeText(shape)} but input '${input.name}' takes samples of shape ${shapeText(sampleShape(input))}; save an array of shape [N,${sampleShape(input).join(',')}].`);
  }
  const available = single ? 1 : shape[0]!;
  return {
    description: `${available} sample(s) of ${shapeText(single ? shape : shape.slice(1))} ${file.header.dtype} from ${basename(path)}`,
    available,
    isFloatData: file.header.dtype === 'float32' || file.header.dtype === 'float64',
    async read(index) {
      const rows = single ? { ...(await file.readRows(0, shape[0] ?? 1)) } : await file.readRows(index, 1);
      return { inputs: [toInputValues(rows, input, basename(path), preprocessing)], source: `${basename(path)}[${index}]` };
    },
    close: () => file.close(),
  };
}

const LABEL_NAMES = new Set(['labels', 'label', 'y', 'targets', 'target']);
const simplify = (name: string) => name.replace(/:0$/, '').replace(/[^A-Za-z0-9]+/g, '_').toLowerCase();

/** A .npz: stored members (numpy.savez) are read row by row in place; deflated ones whole. */
export async function npzSource(path: string, inputs: InputSpec[], preprocessing: Preprocessing | undefined, reader: DataReader): Promise<Source> {
  const bytes = await whole(path, reader);
  const archive = bytes ? npzInMemory(bytes, path) : await openNpz(path);
  try {
    const names = archive.names;
    const dataNames = names.filter((n) => !LABEL_NAMES.has(n.toLowerCase()));
    const chosen: { name: string; file: NpyFile }[] = [];
    for (const [k, input] of inputs.entries()) {
      const byName = names.find((n) => n === input.name) ?? names.find((n) => simplify(n) === simplify(input.name));
      const name = byName ?? (dataNames.length === inputs.length ? dataNames[k] : undefined);
      if (!name) throw new CalibrationDataError(`${basename(path)} has arrays ${names.join(', ')}; none is named '${input.name}' and they cannot be matched by order (${dataNames.length} data arrays for ${inputs.length} inputs).`);
      const file = await archive.member(name);
      const shape = file.header.shape;
      if (!fitsSample(input, shape.slice(1))) throw new CalibrationDataError(`${basename(path)}: array '${name}' has shape ${shapeText(shape)} but input '${input.name}' takes samples of shape ${shapeText(sampleShape(input))}; save an array of shape [N,${sampleShape(input).join(',')}].`);
      chosen.push({ name, file });
    }
    const counts = new Set(chosen.map((c) => c.file.header.shape[0]));
    if (counts.size !== 1) throw new CalibrationDataError(`${basename(path)}: arrays ${chosen.map((c) => `${c.name} (${c.file.header.shape[0]})`).join(', ')} hold different sample counts.`);
    const available = chosen[0]!.file.header.shape[0]!;
    const labelName = names.find((n) => LABEL_NAMES.has(n.toLowerCase()));
    let labels: number[] | undefined;
    if (labelName) {
      const file = await archive.member(labelName);
      const rows = file.header.shape[0] ?? 0;
      const values = rows === available ? npyToFloat32(await file.readRows(0, rows)) : undefined;
      if (values && values.length === available) labels = Array.from(values, Math.round);
    }
    return {
      description: `${available} sample(s) from ${basename(path)} (${chosen.map((c, k) => `${c.name}→${inputs[k]!.name}`).join(', ')})`,
      available,
      ...(labels ? { labels } : {}),
      isFloatData: chosen.every((c) => c.file.header.dtype.startsWith('float')),
      async read(index) {
        const values: Float32Array[] = [];
        for (const [k, { file }] of chosen.entries()) values.push(toInputValues(await file.readRows(index, 1), inputs[k]!, basename(path), preprocessing));
        return { inputs: values, source: `${basename(path)}[${index}]` };
      },
      close: () => archive.close(),
    };
  } catch (error) {
    await archive.close();
    throw error;
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('Calibration cancelled.');
}
