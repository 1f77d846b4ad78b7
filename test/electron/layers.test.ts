// The layer rules of eslint.config.js, checked on snippets placed (virtually) in each layer:
// renderer → no Node/Electron/engine at run time; preload → contract only; engine → no Electron.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { repoRoot } from '../helpers/build';

const eslint = new ESLint({ cwd: repoRoot });

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, file) });
  return result!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

test('renderer: no node:*, Node built-ins, electron or engine code at run time; types are fine', async () => {
  const file = 'src-renderer/features/models/probe.ts';
  assert.equal((await restricted(file, "import { readFile } from 'node:fs/promises';\nvoid readFile;\n")).length, 1);
  assert.equal((await restricted(file, "import fs from 'fs';\nvoid fs;\n")).length, 1);
  assert.equal((await restricted(file, "import { ipcRenderer } from 'electron';\nvoid ipcRenderer;\n")).length, 1);
  assert.equal((await restricted(file, "import { openModel } from '../../../src-main/formats/registry';\nvoid openModel;\n")).length, 1);
  assert.deepEqual(await restricted(file, "import type { AppInfo } from '../../../src-main/api/contract';\nexport type A = AppInfo;\n"), []);
  assert.deepEqual(await restricted(file, "import { api } from '../../lib/api';\nvoid api;\n"), []);
});

test('preload: only the contract from main-side code', async () => {
  const file = 'src-preload/extra.ts';
  assert.deepEqual(await restricted(file, "import { API_CHANNELS } from '../src-main/api/contract';\nvoid API_CHANNELS;\n"), []);
  assert.equal((await restricted(file, "import { openModel } from '../src-main/formats/registry';\nvoid openModel;\n")).length, 1);
  assert.equal((await restricted(file, "import { readFileSync } from 'node:fs';\nvoid readFileSync;\n")).length, 1);
});

test('engine: never electron; the Electron layer may', async () => {
  assert.equal((await restricted('src-main/jobs/probe.ts', "import { app } from 'electron';\nvoid app;\n")).length, 1);
  assert.equal((await restricted('src-main/api/probe.ts', "import { registerIpc } from '../electron/ipc';\nvoid registerIpc;\n")).length, 1);
  assert.deepEqual(await restricted('src-main/electron/probe.ts', "import { app } from 'electron';\nvoid app;\n"), []);
});
