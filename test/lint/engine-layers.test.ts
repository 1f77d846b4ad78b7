// The engine's layer order is enforced by lint: ESLint's Node API with the project's own config
// on small fixture sources placed (virtually) in engine folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';
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

