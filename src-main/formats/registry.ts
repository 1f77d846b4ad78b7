// The importer table: extensions and magic bytes → importer. Add one line per importer.
import { open as openFile, stat } from 'node:fs/promises';
import type { Importer, ModelSource, OpenOptions } from './importer';
import type { ModelGraph } from '../graph/model-graph';
import { basename } from 'node:path';
import { EdgeQuantError, InputError, OperationError, oneLine } from '../errors';
import { tfjsGraphImporter } from './tfjs-graph/index';
import { savedModelImporter } from './savedmodel/index';
import { tfliteImporter } from './tflite/index';
import { kerasH5Importer, kerasJsonImporter } from './keras/keras-h5';
import { keras3Importer } from './keras/keras3';
import { tfjsLayersImporter } from './tfjs-layers/importer';

export const importers: readonly Importer[] = [
  tfliteImporter,
  tfjsGraphImporter,
  savedModelImporter,
  kerasH5Importer,
  keras3Importer,
  tfjsLayersImporter,
  kerasJsonImporter,
];

export class UnknownFormatError extends InputError {
  override name = 'UnknownFormatError';
}

async function readHead(path: string, bytes = 65536): Promise<Uint8Array> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new InputError(`Model file not found: ${path}`);
  if (info.isDirectory()) return new Uint8Array(0);
  const handle = await openFile(path, 'r');
  try {
    const buffer = new Uint8Array(Math.min(bytes, info.size));
    await handle.read(buffer, 0, buffer.length, 0);
    return buffer;
  } finally {
    await handle.close();
  }
}

/** Finds the importer for a file by its bytes first, then its extension. */
export async function findImporter(source: ModelSource): Promise<Importer> {
  const head = await readHead(source.path);
  const byBytes = importers.find((imp) => imp.match(source, head));
  if (byBytes) return byBytes;
  const known = importers.flatMap((i) => i.extensions).join(', ');
  throw new UnknownFormatError(
    `${source.path}: not a model file this tool reads (expected one of: ${known || 'no importers registered'}).`,
  );
}

/** A bug of ours met while reading a file: exit 1, and the user is asked to report it. */
export class ImporterInternalError extends OperationError {
  override name = 'ImporterInternalError';
}

/**
 * The importer boundary: a typed error that does not say which file gets the file's name in
 * front; anything untyped is a bug of ours (the importers check what they read), reported as
 * such instead of a raw JavaScript message.
 */
export async function openWith(importer: Importer, source: ModelSource, options: OpenOptions = {}): Promise<ModelGraph> {
  try {
    return await importer.open(source, options);
  } catch (error) {
    const names = [source.path, basename(source.path), ...(source.companions ?? []).map((c) => basename(c))];
    if (error instanceof EdgeQuantError) {
      if (!names.some((n) => error.message.includes(n))) error.message = `${source.path}: ${error.message}`;
      throw error;
    }
    throw new ImporterInternalError(`Internal error while reading ${source.path} as ${importer.title} (please report): ${oneLine(error).slice(0, 200)}`, { cause: error });
  }
}

export async function openModel(source: ModelSource, options: OpenOptions = {}): Promise<ModelGraph> {
  const importer = await findImporter(source);
  return openWith(importer, source, options);
}
