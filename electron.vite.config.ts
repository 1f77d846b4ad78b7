import { cpSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { isDemoFolder, writeDemoFolder } from './src-main/projects/demo-data';

/**
 * Writes the demo project's data (the model and MNIST digits from the `mnist` devDependency)
 * into <out>/demo beside the main build: the built app finds it there, and electron-builder
 * ships it as resources/demo. Not committed (data from outside); the digits are written only
 * when missing, the model is copied on every build (it may have been retrained).
 */
function demoData(): Plugin {
  let target = '';
  return {
    name: 'edgequant-demo-data',
    apply: 'build',
    configResolved(config) {
      target = join(dirname(config.build.outDir), 'demo');
    },
    async closeBundle() {
      const model = resolve('resources/demo/model');
      if (isDemoFolder(target)) cpSync(model, join(target, 'model'), { recursive: true });
      else await writeDemoFolder(target, model);
    },
  };
}

// One build for every host: the Electron main process, the browser host, the CLI and the
// job worker all come from src-main/ and share the same engine modules.
export default defineConfig({
  main: {
    plugins: [demoData()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('src-main/electron/main.ts'),
          host: resolve('src-main/host/main.ts'),
          cli: resolve('src-main/cli/main.ts'),
          'job-worker': resolve('src-main/app/job-worker.ts'),
          'compute-worker': resolve('src-main/compute/worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads must be CommonJS (Electron cannot load an ESM preload with sandbox: true).
      rollupOptions: {
        input: { index: resolve('src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src-renderer/index.html') } },
    },
    plugins: [svelte()],
  },
});
