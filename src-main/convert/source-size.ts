// How many bytes a model takes on disk, counting every file it consists of: a TF.js model.json
// with its weight shards, a Keras JSON with its weights file, a SavedModel folder as a whole.
// The figure is informative (sizes before/after conversion), so unreadable parts count as 0.
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import type { ModelSource } from '../formats/importer';
import type { ConvertRequest } from './types';

const JSON_EXT = new Set(['.json']);
const H5_EXT = new Set(['.h5', '.hdf5']);

/** A Keras JSON config and its weights can come in either order; the JSON is the model. */
export function modelSource(request: Pick<ConvertRequest, 'model' | 'companions'>): ModelSource {
  const files = [request.model, ...(request.companions ?? [])].map((f) => resolve(f));
  const json = files.find((f) => JSON_EXT.has(extname(f).toLowerCase()));
  const h5 = files.find((f) => H5_EXT.has(extname(f).toLowerCase()));
  if (files.length > 1 && json && h5) {
    return { path: json, companions: files.filter((f) => f !== json) };
  }
  return files.length > 1 ? { path: files[0]!, companions: files.slice(1) } : { path: files[0]! };
}

/** The TF.js weight shards a model.json names (empty for other JSON, e.g. a Keras config). */
async function weightShards(jsonPath: string): Promise<string[]> {
  const info = await stat(jsonPath).catch(() => null);
  if (!info?.isFile() || info.size > 64 * 1024 * 1024) return [];
  let json: { weightsManifest?: { paths?: unknown[] }[] };
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8')) as typeof json;
  } catch {
    return []; // not JSON: the importer reports that; the size stays the file's own
  }
  const shards: string[] = [];
  for (const group of Array.isArray(json.weightsManifest) ? json.weightsManifest : []) {
    for (const p of Array.isArray(group?.paths) ? group.paths : []) if (typeof p === 'string') shards.push(resolve(dirname(jsonPath), p));
  }
  return shards;
}

/** The files a model consists of (a folder stands for everything under it). */
export async function modelSourceFiles(source: ModelSource): Promise<string[]> {
  const files = [resolve(source.path), ...(source.companions ?? []).map((f) => resolve(f))];
  if (extname(source.path).toLowerCase() === '.json') files.push(...(await weightShards(source.path)));
  return [...new Set(files)];
}

/** Bytes of a file, or of every file under a folder. */
export async function pathBytes(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  if (!info) return 0;
  if (info.isFile()) return info.size;
  if (!info.isDirectory()) return 0;
  let total = 0;
  for (const entry of await readdir(path)) total += await pathBytes(join(path, entry));
  return total;
}

/** Total bytes of a model's files (model.json + shards, JSON + weights, a whole SavedModel folder). */
export async function modelSourceBytes(source: ModelSource): Promise<number> {
  const sizes = await Promise.all((await modelSourceFiles(source)).map(pathBytes));
  return sizes.reduce((a, b) => a + b, 0);
}
