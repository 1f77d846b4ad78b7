// The engine's layer order is enforced by lint: ESLint's Node API with the project's own config
// on small fixture sources placed (virtually) in engine folders. Every folder of src-main has a
// place in the order, and each one importing the row above it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { LAYERS } from '../../eslint/engine-layers.js';
import { repoRoot } from '../helpers/build';

const eslint = new ESLint({ cwd: repoRoot });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, file) });
  return result!.messages.filter((m) => m.ruleId === 'edgequant/engine-layers').map((m) => m.message);
}

test('a lower layer importing a higher one fails lint: values, type imports, re-exports and dynamic imports', async () => {
  const errors = await layerErrors(
    'src-main/quantize/layer-fixture.ts',
    [
      "import { readRun } from '../projects/runs';",
      "import type { JobKinds } from '../api/contract';",
      "export type { RunRecord } from '../projects/types';",
      "export const later = () => import('../app/jobs');",
      'void readRun;',
      'export type K = JobKinds;',
    ].join('\n'),
  );
  assert.equal(errors.length, 4, errors.join('\n'));
  assert.match(errors[0]!, /^src-main\/quantize may not import src-main\/projects \('\.\.\/projects\/runs'\): projects is a higher layer/);
  assert.match(errors[1]!, /src-main\/api/);
  assert.match(errors[3]!, /src-main\/app/);
});

test('jobs/ stays generic: it may not import the API contract or projects', async () => {
  const errors = await layerErrors('src-main/jobs/layer-fixture.ts', "import type { JobKinds } from '../api/contract';\nexport type K = JobKinds;\n");
  assert.equal(errors.length, 1);
});

test('lower layers, the same folder and the listed exceptions pass', async () => {
  // formats/ importing its own tflite/ importer is not the tflite/ layer above graph/.
  assert.deepEqual(await layerErrors('src-main/formats/layer-fixture.ts', "import { openModel } from './registry';\nimport './tflite/index';\nvoid openModel;\n"), []);
  assert.deepEqual(await layerErrors('src-main/evaluate/layer-fixture.ts', "import { convertModel } from '../convert/pipeline';\nvoid convertModel;\n"), []);
  assert.deepEqual(await layerErrors('src-main/quantize/layer-fixture.ts', "import type { QuantizeConfig } from '../convert/types';\nexport type Q = QuantizeConfig;\n"), []);
  // The same import from graph/ (below tflite/) fails.
  assert.equal((await layerErrors('src-main/graph/layer-fixture.ts', "import { readTflite } from '../tflite/reader';\nvoid readTflite;\n")).length, 1);
});


test('every engine folder of src-main has a place in the order, and a folder without one fails lint', async () => {
  const folders = readdirSync(join(repoRoot, 'src-main'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  const listed = LAYERS.flat();
  assert.deepEqual(folders.filter((f) => !listed.includes(f)), [], 'folders missing from LAYERS');
  assert.deepEqual(listed.filter((f) => f !== '(root)' && !folders.includes(f)), [], 'rows naming no folder');
  const errors = await layerErrors('src-main/new-area/layer-fixture.ts', 'export const x = 1;\n');
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0]!, /^src-main\/new-area has no place in the engine layer order/);
});

test('each folder importing a folder of the row above it fails lint; importing one of its own row passes', async () => {
  const fixture = (folder: string) => (folder === '(root)' ? 'src-main/layer-fixture.ts' : `src-main/${folder}/layer-fixture.ts`);
  const spec = (from: string, to: string) => `${from === '(root)' ? '.' : '..'}/${to}/layer-target`;
  for (const [rank, row] of LAYERS.entries()) {
    const above = LAYERS[rank + 1]?.[0];
    for (const folder of row) {
      if (above) {
        const errors = await layerErrors(fixture(folder), `import '${spec(folder, above)}';\n`);
        assert.equal(errors.length, 1, `${folder} importing ${above}: ${errors.join('\n')}`);
      }
      for (const peer of row.filter((p) => p !== folder && p !== '(root)')) {
        assert.deepEqual(await layerErrors(fixture(folder), `import '${spec(folder, peer)}';\n`), [], `${folder} importing its peer ${peer}`);
      }
    }
  }
});
