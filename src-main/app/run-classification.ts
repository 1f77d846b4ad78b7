// A project run's classification results: the class names it evaluates with (a labels/classes
// file next to the model or in the data folder), and the results stored in the run record with
// the changed samples' thumbnails as one report file of the run.
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { findClassNamesFile, readClassNames } from '../data/class-names';
import { listImages } from '../data/images';
import { InputError, oneLine } from '../errors';
import type { ClassNames } from '../data/sources';
import type { ClassificationRun } from '../evaluate/classification-run';
import type { EvaluationReport } from '../evaluate/evaluate';
import type { RunContext } from '../projects/record-run';

export const THUMBNAILS_FILE = 'changed-samples.json';

/**
 * The class names file the run uses, read; none when there is no such file, or (with a warning)
 * when the data's class folders are not all in it: such a file belongs to something else, and the
 * folder names still label the data.
 */
export async function runClassNames(model: string, data: string | undefined, warn: (message: string) => void): Promise<ClassNames | undefined> {
  const file = findClassNamesFile(model, data);
  if (!file) return undefined;
  let names: string[];
  try {
    names = await readClassNames(file);
  } catch (error) {
    // A broken file next to the model does not stop the run: say so, label by folder names.
    if (!(error instanceof InputError)) throw error;
    warn(`Class names not used: ${oneLine(error)}`);
    return undefined;
  }
  if (data && statSync(data).isDirectory()) {
    const known = new Set(names);
    const folders = [...new Set((await listImages(data)).map((e) => e.label).filter((l) => l !== undefined))];
    const missing = folders.filter((f) => !known.has(f));
    if (missing.length) {
      warn(`Class names from ${basename(file)} not used: folder(s) ${missing.slice(0, 5).map((m) => `'${m}'`).join(', ')} of the validation data are not in it; classes follow the folder names.`);
      return undefined;
    }
  }
  return { names, file };
}

/** Stores the results (and thumbnails) in the run; nothing when no output is a score vector. */
export async function recordClassification(ctx: RunContext, run: ClassificationRun, report: EvaluationReport, classNames?: ClassNames): Promise<void> {
  const classes = report.classes ?? classNames?.names;
  const finished = await run.finish({ ...(classes ? { classes } : {}), outputs: report.outputs.map((o) => o.name) });
  if (!finished) return;
  const { results, thumbnails } = finished;
  if (thumbnails.length) {
    await ctx.writeReport(THUMBNAILS_FILE, { note: 'One PNG (base64) per entry of classification.changed.shown in run.json, as the model saw it.', pngBase64: thumbnails });
    results.changed.thumbnails = THUMBNAILS_FILE;
  }
  ctx.setDetails({ classification: results });
}
