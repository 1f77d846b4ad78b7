// Class names of a classifier, in the order of its output scores: from a labels/classes file
// next to the model (or in the data folder) when there is one. Without one, an image folder's
// class names are its sub-folder names, sorted (sources.ts).
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { CalibrationDataError } from './dataset';

/** File names looked for, in this order, next to the model and in the data folder. */
export const CLASS_NAME_FILES = ['labels.txt', 'classes.txt', 'labels.json', 'classes.json'] as const;

/** Files larger than this are not class lists (100,000 names of 20 bytes). */
const MAX_BYTES = 2 * 1024 * 1024;

/**
 * Reads class names: a .txt holds one name per line (blank lines ignored), a .json an array of
 * names or an object from index to name ({"0": "cat", "1": "dog"}, as Keras exports).
 */
export async function readClassNames(path: string): Promise<string[]> {
  const size = statSync(path).size;
  if (size > MAX_BYTES) throw new CalibrationDataError(`${path} is ${size} bytes, too large for a list of class names; give one name per line.`);
  const text = await readFile(path, 'utf8');
  let names: unknown;
  if (extname(path).toLowerCase() === '.json') {
    try {
      names = JSON.parse(text);
    } catch (error) {
      throw new CalibrationDataError(`${path} is not valid JSON (${(error as Error).message}); give an array of class names.`);
    }
    if (names && typeof names === 'object' && !Array.isArray(names)) {
      const entries = Object.entries(names as Record<string, unknown>);
      if (!entries.every(([k]) => /^\d+$/.test(k))) throw new CalibrationDataError(`${path}: an object of class names needs index keys ("0", "1", …).`);
      names = entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
    }
  } else {
    names = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  }
  if (!Array.isArray(names) || names.length < 2 || !names.every((n) => typeof n === 'string' && n.length > 0)) {
    throw new CalibrationDataError(`${path}: expected at least two class names (strings), one per line or a JSON array.`);
  }
  const seen = new Set<string>();
  for (const n of names as string[]) {
    if (seen.has(n)) throw new CalibrationDataError(`${path}: class '${n}' is listed twice; each class needs one line.`);
    seen.add(n);
  }
  return names as string[];
}

/** The first class-names file next to the model (its folder) or in the data folder, if any. */
export function findClassNamesFile(model: string, data?: string): string | undefined {
  const folders = [dirname(model)];
  if (data && existsSync(data) && statSync(data).isDirectory()) folders.push(data);
  for (const folder of folders) {
    for (const name of CLASS_NAME_FILES) {
      const path = join(folder, name);
      if (existsSync(path) && statSync(path).isFile()) return path;
    }
  }
  return undefined;
}

/** Maps an image folder's sub-folder names to indices of `names`; a folder not listed is an error. */
export function folderIndices(folders: string[], names: string[], namesFile: string): Map<string, number> {
  const index = new Map(names.map((n, i) => [n, i]));
  const missing = folders.filter((f) => !index.has(f));
  if (missing.length) {
    throw new CalibrationDataError(`Class folder(s) ${missing.slice(0, 5).map((m) => `'${m}'`).join(', ')} are not in ${basename(namesFile)} (${names.length} classes); rename the folders or add the classes to the file.`);
  }
  return new Map(folders.map((f) => [f, index.get(f)!]));
}
