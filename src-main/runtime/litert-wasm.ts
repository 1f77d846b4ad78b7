// Loads the LiteRT wasm module shipped in @litertjs/core (2.5.3) inside Node. Its loader is a
// browser-style script: we evaluate it through `vm` with a CommonJS wrapper (that is what its
// importScripts path would do) and use the embind API directly. Going below @litertjs/core's
// JS layer is deliberate: that layer's element-type table has no INT8/INT16/FLOAT16
// ("Element type INT8 is not supported"), while the wasm API handles every type.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import v8 from 'node:v8';

/** The parts of the embind API we use (see @litertjs/core dist/index.js for their callers). */
export interface EmVector<T> {
  size(): number;
  get(i: number): T;
  delete(): void;
}
export interface LiteRtElementType {
  value: number;
}
export interface LiteRtLayout {
  dimensions(): EmVector<number>;
  delete(): void;
}
export interface LiteRtRankedTensorType {
  elementType(): LiteRtElementType;
  layout(): LiteRtLayout;
  bytes(): number;
  delete(): void;
}
export interface LiteRtTensorBuffer {
  lock(mode: unknown): number;
  unlock(): void;
  packedSize(): number;
  tensorType(): LiteRtRankedTensorType;
  delete(): void;
}
export interface LiteRtSignature {
  key(): string;
  inputNames(): EmVector<string>;
  outputNames(): EmVector<string>;
  delete(): void;
}
export interface LiteRtModel {
  getNumSignatures(): number;
  getSignature(index: number): LiteRtSignature;
  getInputTensorType(signature: number, index: number): LiteRtRankedTensorType;
  getOutputTensorType(signature: number, index: number): LiteRtRankedTensorType;
  delete(): void;
}
export interface LiteRtCompiledModel {
  run(signature: number, inputs: LiteRtTensorBuffer[]): Promise<LiteRtTensorBuffer[]>;
  delete(): void;
}
export interface LiteRtWasm {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  setupLogging(): void;
  LiteRtEnvironment: { create(webGpuDevice: null): unknown };
  loadModel(env: unknown, ptr: number, size: number): LiteRtModel;
  compileModel(env: unknown, model: LiteRtModel, options: Record<string, unknown>): Promise<LiteRtCompiledModel>;
  LiteRtTensorBuffer: {
    createManaged(env: unknown, type: unknown, tensorType: LiteRtRankedTensorType, bytes: number): LiteRtTensorBuffer;
  };
  LiteRtTensorBufferType: { HOST_MEMORY: unknown };
  LiteRtTensorBufferLockMode: { READ: unknown; WRITE: unknown };
}

export interface LoadedWasm {
  wasm: LiteRtWasm;
  environment: unknown;
  /** Which build was loaded: relaxed SIMD or the compat build. */
  build: string;
  /** The last lines LiteRT logged; errors quote them. */
  recentLog: string[];
}

// The smallest wasm module using a relaxed-SIMD opcode (the same probe @litertjs/core runs).
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15, 253, 128, 2, 11,
]);

function relaxedSimdAvailable(): boolean {
  if (WebAssembly.validate(RELAXED_SIMD_PROBE)) return true;
  // Node 20 ships relaxed SIMD behind a flag; enabling it before the module compiles is enough.
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

export function liteRtPackageDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@litertjs/core/package.json'));
}

export function liteRtVersion(): string {
  const pkg = JSON.parse(readFileSync(join(liteRtPackageDir(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

type ModuleFactory = (options: { print: (t: string) => void; printErr: (t: string) => void }) => Promise<LiteRtWasm>;

function evaluateLoader(path: string): ModuleFactory {
  const module = { exports: {} as unknown };
  const wrapper = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname) {${readFileSync(path, 'utf8')}\n})`, {
    filename: path,
  }) as (...args: unknown[]) => void;
  wrapper(module.exports, createRequire(path), module, path, dirname(path));
  if (typeof module.exports !== 'function') throw new Error(`${path} did not define the LiteRT module factory.`);
  return module.exports as ModuleFactory;
}

let loading: Promise<LoadedWasm> | undefined;

/** Loads the wasm module once per process. */
export function loadLiteRtWasm(): Promise<LoadedWasm> {
  loading ??= (async () => {
    const build = relaxedSimdAvailable() ? 'litert_wasm_internal.js' : 'litert_wasm_compat_internal.js';
    const factory = evaluateLoader(join(liteRtPackageDir(), 'wasm', build));
    const recentLog: string[] = [];
    const keep = (line: string) => {
      recentLog.push(line);
      if (recentLog.length > 20) recentLog.shift();
    };
    const wasm = await factory({ print: keep, printErr: keep });
    wasm.setupLogging();
    const environment = wasm.LiteRtEnvironment.create(null);
    return { wasm, environment, build, recentLog };
  })().catch((error: unknown) => {
    loading = undefined; // let a later call try again
    throw error;
  });
  return loading;
}

export function vectorToArray<T>(vector: EmVector<T>): T[] {
  const out: T[] = [];
  for (let i = 0; i < vector.size(); i++) out.push(vector.get(i));
  vector.delete();
  return out;
}
