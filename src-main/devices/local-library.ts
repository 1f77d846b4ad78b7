// Where the TFLite C library of the npm package tfjs-tflite-node lives on this computer: the
// "This computer" device's runner loads it through ctypes, like a board without Python TFLite.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DeviceError } from './errors';

const PLATFORM_DIRS: Record<string, string> = {
  'linux-x64': 'linux_amd64/libtensorflowlite_c.so',
  'linux-arm64': 'linux_arm64/libtensorflowlite_c.so',
  'darwin-arm64': 'darwin_arm64/libtensorflowlite_c.dylib',
  'win32-x64': 'windows_amd64/tensorflowlite_c.dll',
};

export function tfliteCLibraryPathFallback(): string {
  const rel = PLATFORM_DIRS[`${process.platform}-${process.arch}`];
  if (!rel) throw new DeviceError(`no TFLite C library ships for ${process.platform}-${process.arch}; benchmark on a board instead.`);
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('tfjs-tflite-node/package.json'));
  } catch {
    throw new DeviceError('the npm package tfjs-tflite-node is not installed; run npm install.');
  }
  const path = join(pkgDir, 'cc_deps', rel);
  if (!existsSync(path)) throw new DeviceError(`TFLite C library missing at ${path}; reinstall tfjs-tflite-node.`);
  return path;
}
