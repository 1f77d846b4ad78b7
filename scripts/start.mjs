// `npm start`: builds the app (quietly; the output shows only when the build fails), then opens
// the desktop window when the Electron binary is installed and runs, else starts the browser
// host, which prints one line: `EdgeQuant Studio: http://127.0.0.1:<port>/?token=<token>`.
// Flags: --open (browser host: also open Chromium / the default browser), --no-build,
// --host (use the browser host even when Electron is present). EDGEQUANT_OUT_DIR builds and
// runs from another folder than out/ (tests use it so they never rebuild under a running host).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const has = (flag) => args.includes(flag);
const outDir = process.env.EDGEQUANT_OUT_DIR ? join(root, process.env.EDGEQUANT_OUT_DIR) : join(root, 'out');
const passThrough = args.filter((a) => a !== '--no-build' && a !== '--host');

function build() {
  const cli = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const result = spawnSync(process.execPath, [cli, 'build', '--outDir', outDir], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    process.stderr.write('edgequant start: the build failed (output above).\n');
    process.exit(1);
  }
}

/** The Electron binary when it is installed and actually runs here, else null. */
function electronBinary() {
  let pkgDir;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return null;
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  return probe.status === 0 ? binary : null;
}

function run(command, commandArgs) {
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

if (!has('--no-build')) build();
const electron = has('--host') ? null : electronBinary();
if (electron) run(electron, [join(outDir, 'main', 'index.js'), ...passThrough.filter((a) => a !== '--open')]);
else run(process.execPath, [join(outDir, 'main', 'host.js'), ...passThrough]);
