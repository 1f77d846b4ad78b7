// electron-builder configuration: `npm run dist` (this platform) or `npm run dist:linux|mac|win`.
// Packaging downloads Electron and the platform tools (AppImage, NSIS, dmg), so it needs a
// connected machine; test/electron/packaging.test.ts checks this file without building.
import type { Configuration } from 'electron-builder';
import { afterPack } from './fuses';

/**
 * Unpacked from app.asar: native code must be a real file for dlopen. tfjs-tflite-node loads its
 * TFLite C library by path and the board runner uses the same .so through ctypes; serialport's
 * and sharp's addons bring prebuilt binaries and shared libraries next to them.
 */
export const ASAR_UNPACK = [
  'node_modules/tfjs-tflite-node/**',
  'node_modules/@serialport/bindings-cpp/**',
  'node_modules/sharp/**',
  'node_modules/@img/**',
  '**/*.node',
];

const config: Configuration = {
  appId: 'dev.edgequant.studio',
  productName: 'EdgeQuant Studio',
  executableName: 'edgequant-studio',
  directories: { output: 'dist', buildResources: 'packaging/resources' },
  // The built app only: electron-vite's out/ (main, preload, renderer) and package.json;
  // production dependencies are added by electron-builder. out/demo goes to resources instead.
  files: ['out/**/*', '!out/demo/**', 'package.json', '!**/*.map'],
  // Board-side runner scripts are uploaded to boards and run by python3: real files, outside asar
  // (src-main/devices/runner.ts looks in process.resourcesPath/runners). The demo project's model
  // and digits, written by the build into out/demo, are copied into each new demo project
  // (src-main/projects/demo.ts looks in process.resourcesPath/demo).
  extraResources: [
    { from: 'resources/runners', to: 'runners' },
    { from: 'out/demo', to: 'demo' },
  ],
  asar: true,
  asarUnpack: ASAR_UNPACK,
  // Every native module is N-API with prebuilt binaries, so nothing is rebuilt against
  // Electron's headers (which would need a download and Node 22 for @electron/rebuild 4).
  // Native code is per CPU: build each platform/arch on a machine of that kind (see README).
  npmRebuild: false,
  // Fuses are flipped by our own hook from the table in fuses.ts (not electron-builder's electronFuses).
  afterPack,
  linux: {
    target: [
      { target: 'AppImage', arch: ['x64', 'arm64'] },
      { target: 'deb', arch: ['x64', 'arm64'] },
    ],
    category: 'Development',
    maintainer: 'EdgeQuant Studio',
    synopsis: 'Convert, quantize, validate and deploy TFLite models to edge boards',
  },
  // python3 runs the local benchmark runner; serial ports need the user in the dialout group.
  deb: { recommends: ['python3'] },
  mac: {
    target: [{ target: 'dmg', arch: ['x64', 'arm64'] }],
    category: 'public.app-category.developer-tools',
    hardenedRuntime: true,
  },
  win: {
    target: [{ target: 'nsis', arch: ['x64', 'arm64'] }],
  },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  publish: null,
};

export default config;
