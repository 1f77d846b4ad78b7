// ESLint rule `edgequant/engine-layers`: an engine folder (src-main/<folder>/) may import only
// its own folder and the folders below it in LAYERS. Every import form counts: values, `import
// type`, `export … from` and dynamic `import()`. Relative specifiers are resolved against the
// importing file, so `./tflite/index` inside formats/ is formats' own, `../tflite/reader` is not.
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * Lowest first; folders on one row are peers. The order is the import order, which differs from
 * the pipeline's flow (file → formats → graph → quantize → tflite → runtime …) where the flow's
 * later stage is a shared base: every importer builds the graph IR, and the TFLite importer reads
 * with tflite/'s reader, so graph/ and tflite/ sit below formats/.
 */
export const LAYERS = [
  ['(root)', 'jobs'], // errors.ts, version.ts, seeded-random.ts; jobs/ is generic (knows no kind)
  ['graph'],
  ['validation'], // float vs quantized error (SQNR, per layer), read by quantize, evaluate and debug
  ['tflite'],
  ['formats'],
  ['graph-view'], // the Studio's model view: a model opened by formats/, laid out from the graph IR
  ['data'], // datasets, preprocessing, hashing: read by calibration, evaluation and devices
  ['quantize'],
  ['convert'], // the pipeline: formats → graph passes → quantize → tflite writer
  ['runtime'],
  ['evaluate'],
  ['debug', 'detect'], // the quantization debugger; detection decoding and mAP on top of evaluation
  ['compute'], // worker threads with their own backend; tasks.ts names the parallel work of calibration, gptq and evaluation
  ['devices'],
  ['projects'],
  ['search'], // the accuracy-budget search: candidates converted, evaluated, recorded as project runs
  ['api'],
  ['app'], // the composition root: job-kind table, services, use cases
  ['cli', 'host', 'electron'], // the entry points
];

/** Files any layer may import, with the reason (paths relative to src-main/). */
export const ALLOWED = [
  { file: 'convert/types.ts', reason: "the conversion request's vocabulary (modes, calibration spec), shared by every stage that carries part of it out" },
  { file: 'convert/weight-rounding.ts', reason: 'the one rule for the default weight rounding, applied by the quantizer and recorded by projects' },
  { file: 'detect/report-types.ts', reason: "the shape of the detection section an evaluation report carries (types only; detect/ fills it)" },
  { file: 'compute/pool.ts', reason: 'the generic worker pool (it knows no task; compute/tasks.ts names them): evaluation sends its samples through it, split.ts the others' },
  { file: 'compute/split.ts', reason: 'the generic open / per-sample / finish split of work across the pool (it knows no task either): calibration, the gptq statistics and the debugger split their samples through it' },
  { file: 'compute/workers.ts', reason: 'how many compute workers a run uses (the default and --workers), read by every stage that splits work' },
];

const rankOf = new Map(LAYERS.flatMap((row, rank) => row.map((folder) => [folder, rank])));

function layerOf(pathFromRoot) {
  const parts = pathFromRoot.split(sep);
  return parts.length === 1 ? '(root)' : parts[0];
}

const order = LAYERS.map((row) => row.join('|')).join(' → ');

export const engineLayers = {
  meta: {
    type: 'problem',
    docs: { description: 'An engine folder may not import a higher one (src-main layer order).' },
    schema: [],
    messages: {
      upward: "src-main/{{from}} may not import src-main/{{to}} ('{{spec}}'): {{to}} is a higher layer ({{order}}). Move the shared piece down or pass it in from above.",
      unlisted: 'src-main/{{from}} has no place in the engine layer order ({{order}}): add it to LAYERS in eslint/engine-layers.js.',
    },
  },
  create(context) {
    const root = resolve(context.cwd, 'src-main');
    const file = context.filename;
    const fromPath = relative(root, file);
    if (fromPath.startsWith('..')) return {};
    const from = layerOf(fromPath);
    const fromRank = rankOf.get(from);
    // A new folder is placed in the order before its imports are checked, so none escapes the rule.
    if (fromRank === undefined) return { Program: (node) => context.report({ node, messageId: 'unlisted', data: { from, order } }) };
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = relative(root, resolve(dirname(file), source.value));
      if (target.startsWith('..')) return;
      const to = layerOf(target);
      const toRank = rankOf.get(to);
      if (toRank === undefined || toRank <= fromRank) return;
      const targetFile = target.split(sep).join('/').replace(/(\.ts)?$/, '.ts');
      if (ALLOWED.some((a) => a.file === targetFile)) return;
      context.report({ node, messageId: 'upward', data: { from, to, spec: source.value, order } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : undefined),
    };
  },
};

export default { rules: { 'engine-layers': engineLayers } };
