// Every read of a data file goes through one DataReader per run, so that:
// - each file is hashed while it is read (the run's hash needs no pass of its own);
// - its bytes, and the samples decoded from them, are kept within a memory bound, so the later
//   stages of the run (calibration, the GPTQ sample stream, held-out evaluation) reuse them;
// - every trip to the disk is counted (a test asserts one read per sample file; the bench
//   reports reads per sample). A file too large to keep is read again when needed, and counted.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';

export interface DataReaderOptions {
  /** Bytes of file contents kept for reuse (default 256 MiB). */
  maxFileBytes?: number;
  /** Bytes of decoded samples kept for reuse (default 64 MiB). */
  maxDecodedBytes?: number;
  /** Called on every read from disk (path, bytes): an injectable counter. */
  onRead?: (path: string, bytes: number) => void;
}

export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_DECODED_BYTES = 64 * 1024 * 1024;

export class DataReader {
  readonly #files = new Map<string, Uint8Array>();
  readonly #decoded = new Map<string, unknown>();
  readonly #hashes = new Map<string, string>();
  readonly #reads = new Map<string, number>();
  readonly #maxFile: number;
  readonly #maxDecoded: number;
  readonly #onRead: DataReaderOptions['onRead'];
  #fileBytes = 0;
  #decodedBytes = 0;

  constructor(options: DataReaderOptions = {}) {
    this.#maxFile = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.#maxDecoded = options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES;
    this.#onRead = options.onRead;
  }

  /** The file's bytes: from memory when this run already read it, else from disk (counted, hashed). */
  async bytes(path: string): Promise<Uint8Array> {
    const kept = this.#files.get(path);
    if (kept) return kept;
    const buffer = await readFile(path);
    const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.countRead(path, bytes.length);
    this.#hashes.set(path, createHash('sha256').update(bytes).digest('hex'));
    if (this.#fileBytes + bytes.length <= this.#maxFile) {
      this.#files.set(path, bytes);
      this.#fileBytes += bytes.length;
    }
    return bytes;
  }

  /** Whether `path` (of `size` bytes) is or can be kept in memory whole. */
  fits(path: string, size: number): boolean {
    return this.#files.has(path) || this.#fileBytes + size <= this.#maxFile;
  }

  /** sha256 of the file, computed while reading it: kept bytes when it fits, else streamed (counted). */
  async sha256(path: string): Promise<string> {
    const known = this.#hashes.get(path);
    if (known) return known;
    const { size } = await stat(path);
    if (this.fits(path, size)) {
      await this.bytes(path);
      return this.#hashes.get(path)!;
    }
    const hash = createHash('sha256');
    await new Promise<void>((resolve, reject) => {
      createReadStream(path)
        .on('data', (chunk) => hash.update(chunk))
        .on('end', () => resolve())
        .on('error', reject);
    });
    this.countRead(path, size);
    const digest = hash.digest('hex');
    this.#hashes.set(path, digest);
    return digest;
  }

  /** Counts a read from disk done by other means (rows of a .npy too large to keep). */
  countRead(path: string, bytes: number): void {
    this.#reads.set(path, (this.#reads.get(path) ?? 0) + 1);
    this.#onRead?.(path, bytes);
  }

  /** A decoded value kept under `key`, if any. */
  decoded<T>(key: string): T | undefined {
    return this.#decoded.get(key) as T | undefined;
  }

  /** Keeps a decoded value of `bytes` bytes when it fits the bound. */
  keepDecoded(key: string, value: unknown, bytes: number): void {
    if (this.#decoded.has(key) || this.#decodedBytes + bytes > this.#maxDecoded) return;
    this.#decoded.set(key, value);
    this.#decodedBytes += bytes;
  }

  /** Reads from disk of each file so far. */
  reads(): ReadonlyMap<string, number> {
    return this.#reads;
  }

  /** Disk reads per file read at least once (1 = every file read once). */
  readsPerFile(): number {
    const counts = [...this.#reads.values()];
    return counts.length === 0 ? 0 : counts.reduce((a, b) => a + b, 0) / counts.length;
  }
}
