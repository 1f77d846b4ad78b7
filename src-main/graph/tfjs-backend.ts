// One place that initialises TensorFlow.js for the engine (graph execution, calibration, the
// gptq statistics), once per thread: each job worker and compute worker has its own.
// Preference: tfjs-node (native; its libtensorflow is downloaded by `npm install` where the
// machine is online) → wasm (SIMD) → cpu. Idempotent: every caller awaits the same promise.
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as TfNamespace from '@tensorflow/tfjs';

export type Tf = typeof TfNamespace;

export interface TfjsBackendInfo {
  backend: string;
  tfjsVersion: string;
  /** wasm only: whether SIMD / multi-threading are in use. */
  simd?: boolean;
  threads?: number;
  /** Why a preferred backend was not used (e.g. tfjs-node not installed). */
  notes: string[];
}

let ready: Promise<Tf> | undefined;
let info: TfjsBackendInfo | undefined;

function isModuleNotFound(error: unknown, name: string): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  return (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && (e.message ?? '').includes(name);
}

async function tryNode(notes: string[]): Promise<Tf | undefined> {
  const name = '@tensorflow/tfjs-node';
  try {
    // A variable specifier keeps bundlers and tsc from requiring the optional package.
    const mod = (await import(/* @vite-ignore */ name)) as Tf & { default?: Tf };
    const tfn = (mod.default ?? mod) as Tf;
    await tfn.setBackend('tensorflow');
    await tfn.ready();
    return tfn;
  } catch (error) {
    if (isModuleNotFound(error, name)) {
      notes.push('@tensorflow/tfjs-node not installed');
      return undefined;
    }
    const message = (error as Error).message.split('\n')[0] ?? '';
    // Installed without its native library (an offline `npm install`): say how to get it.
    if (/tfjs_binding\.node|libtensorflow/.test(message)) notes.push('@tensorflow/tfjs-node: native library not downloaded (offline install); run `npm run postinstall` online');
    else notes.push(`@tensorflow/tfjs-node failed to load: ${message}`);
    return undefined;
  }
}

/** Makes wasm the backend of `tf` (also used to compare it with tfjs-node); false with a note when it cannot. */
export async function tryWasm(tf: Tf, notes: string[]): Promise<boolean> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    // The package's main entry lives in dist/; the .wasm binaries sit beside it.
    const distDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    const prefix = pathToFileURL(join(distDir, '/')).pathname;
    wasm.setWasmPaths(prefix.endsWith('/') ? prefix : prefix + '/');
    // Used only where the threaded build loads (browsers with cross-origin isolation); Node
    // runs the SIMD single-thread build.
    wasm.setThreadsCount(Math.max(1, Math.min(4, cpus().length)));
    const ok = await tf.setBackend('wasm');
    if (!ok) {
      notes.push('wasm backend refused to initialise');
      return false;
    }
    await tf.ready();
    return true;
  } catch (error) {
    notes.push(`wasm backend failed: ${(error as Error).message.split('\n')[0]}`);
    return false;
  }
}

async function init(): Promise<Tf> {
  const notes: string[] = [];
  const native = await tryNode(notes);
  if (native) {
    info = { backend: 'tensorflow', tfjsVersion: native.version.tfjs ?? 'unknown', notes };
    return native;
  }
  const tf = (await import('@tensorflow/tfjs')) as Tf;
  if (await tryWasm(tf, notes)) {
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const threaded = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    info = { backend: 'wasm', tfjsVersion: tf.version.tfjs, simd, threads: threaded ? Math.max(1, Math.min(4, cpus().length)) : 1, notes };
    return tf;
  }
  await tf.setBackend('cpu');
  await tf.ready();
  info = { backend: 'cpu', tfjsVersion: tf.version.tfjs, notes };
  return tf;
}

/** Initialises TensorFlow.js once with the best backend available here. */
export function initTfjs(): Promise<Tf> {
  ready ??= init().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return ready;
}

/** Backend facts for the About panel; undefined before initTfjs() resolved. */
export function tfjsBackendInfo(): TfjsBackendInfo | undefined {
  return info ? { ...info, notes: [...info.notes] } : undefined;
}

/** What the run reports as its compute backend: 'tensorflow' (native), 'wasm', 'cpu', or 'not loaded'. */
export function computeBackend(): { backend: string; notes: string[] } {
  return info ? { backend: info.backend, notes: [...info.notes] } : { backend: 'not loaded', notes: [] };
}
