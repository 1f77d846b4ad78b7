// Two packages download native binaries in their own install scripts: Electron (its app binary)
// and @tensorflow/tfjs-node (libtensorflow and its addon). Both scripts are denied in
// package.json (allowScripts) so that `npm install` succeeds offline. Run them here instead, and
// only warn when they fail: the browser host (`npm start`) works without Electron, and the
// engine falls back to TensorFlow.js on wasm without tfjs-node.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const skipAll = process.env.CI === 'true';

function resolveOrWarn(specifier, missing) {
  try {
    return require.resolve(specifier);
  } catch {
    console.warn(missing);
    return undefined;
  }
}

function electronBinary() {
  const installScript = resolveOrWarn('electron/install.js', '[edgequant] electron is not installed; the app will run in its browser host.');
  if (!installScript) return;
  if (existsSync(installScript.replace(/install\.js$/, 'path.txt'))) return;
  if (process.env.EDGEQUANT_SKIP_ELECTRON_DOWNLOAD === '1' || skipAll) {
    console.warn('[edgequant] skipping the Electron binary download (CI or EDGEQUANT_SKIP_ELECTRON_DOWNLOAD=1).');
    return;
  }
  const result = spawnSync(process.execPath, [installScript], { stdio: 'inherit', timeout: 120_000 });
  if (result.status !== 0) console.warn('[edgequant] could not download the Electron binary (offline?). `npm start` will use the browser host.');
}

function tfjsNodeBinary() {
  const installScript = resolveOrWarn('@tensorflow/tfjs-node/scripts/install.js', '[edgequant] @tensorflow/tfjs-node is not installed; the engine will run TensorFlow.js on wasm.');
  if (!installScript) return;
  const packageDir = dirname(dirname(installScript));
  const lib = join(packageDir, 'lib');
  const built = existsSync(lib) && readdirSync(lib).some((d) => existsSync(join(lib, d, 'tfjs_binding.node')));
  if (built) return;
  if (process.env.EDGEQUANT_SKIP_TFJS_NODE_DOWNLOAD === '1' || skipAll) {
    console.warn('[edgequant] skipping the libtensorflow download for @tensorflow/tfjs-node (CI or EDGEQUANT_SKIP_TFJS_NODE_DOWNLOAD=1); the engine will run TensorFlow.js on wasm.');
    return;
  }
  // Its script downloads libtensorflow, then fetches (or builds) the addon with node-pre-gyp.
  const result = spawnSync(process.execPath, [installScript], { cwd: packageDir, stdio: 'inherit', timeout: 300_000 });
  if (result.status !== 0) {
    console.warn('[edgequant] could not install libtensorflow for @tensorflow/tfjs-node (offline?). The engine will run TensorFlow.js on wasm; run `npm run postinstall` once online.');
  }
}

electronBinary();
tfjsNodeBinary();
process.exit(0);
