// Electron's own install script downloads its binary; it is denied in package.json
// (allowScripts) so that `npm install` succeeds offline. Run it here instead, and only
// warn when it fails: the browser host (`npm start`) works without the binary.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let installScript;
try {
  installScript = require.resolve('electron/install.js');
} catch {
  console.warn('[edgequant] electron is not installed; the app will run in its browser host.');
  process.exit(0);
}
const pathFile = installScript.replace(/install\.js$/, 'path.txt');
if (existsSync(pathFile)) process.exit(0);
if (process.env.EDGEQUANT_SKIP_ELECTRON_DOWNLOAD === '1' || process.env.CI === 'true') {
  console.warn('[edgequant] skipping the Electron binary download (CI or EDGEQUANT_SKIP_ELECTRON_DOWNLOAD=1).');
  process.exit(0);
}
const result = spawnSync(process.execPath, [installScript], { stdio: 'inherit', timeout: 120_000 });
if (result.status !== 0) {
  console.warn('[edgequant] could not download the Electron binary (offline?). `npm start` will use the browser host.');
}
process.exit(0);
