// File transfer over the console: checksummed base64 chunks (deflated when the board has gzip
// and it pays) appended to a staging file, the whole file's sha256 checked on the board, then a
// rename. A transfer that stops half way leaves only the staging file, never the target name.
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { CancelledError } from '../../errors';
import type { TransferProgress } from '../transport';
import type { ConsoleSession } from './console';
import { SerialDeviceError } from './errors';
import { shellPath } from './framing';

export interface SerialTransferProgress extends TransferProgress {
  /** File bytes per second measured so far (the planned rate before the first chunk). */
  bytesPerSecond: number;
  /** Seconds left: remaining line bytes at the measured line rate. */
  etaSeconds: number;
  /** Chunks sent again after a checksum mismatch. */
  resentChunks: number;
}

/** base64 (4/3) plus one newline per 76 characters. */
const BASE64_FACTOR = (4 / 3) * (77 / 76);
/** Here-document header, terminator and the put command, per chunk. */
const CHUNK_FRAMING_BYTES = 120;
/** Share of the line a transfer gets (the board's replies and turnarounds between chunks). */
const LINE_EFFICIENCY = 0.95;

/** Line bytes per second at `baudRate`: 10 bits per byte with 8N1. */
export function lineBytesPerSecond(baudRate: number): number {
  return baudRate / 10;
}

/** Seconds to upload `bytes` that travel as `wireBytes` on the line (default: uncompressed). */
export function estimateTransferSeconds(bytes: number, baudRate: number, wireBytes = wireBytesFor(bytes, chunkSizeFor(baudRate))): number {
  return wireBytes / (lineBytesPerSecond(baudRate) * LINE_EFFICIENCY);
}

function wireBytesFor(payload: number, chunkSize: number): number {
  return payload * BASE64_FACTOR + Math.ceil(payload / chunkSize) * CHUNK_FRAMING_BYTES;
}

/** Raw bytes per chunk: about two seconds of line time, between 2 KiB and 48 KiB. */
export function chunkSizeFor(baudRate: number): number {
  const twoSeconds = (2 * lineBytesPerSecond(baudRate)) / BASE64_FACTOR;
  return Math.max(2048, Math.min(48 * 1024, Math.floor(twoSeconds / 57) * 57));
}

export interface UploadPlan {
  bytes: number;
  chunkSize: number;
  /** Bytes on the line, per chunk and in total (gzip where it saves ≥ 5 %). */
  chunkWireBytes: number[];
  wireBytes: number;
  /** Expected duration at the baud rate. */
  seconds: number;
}

function chunkWire(chunk: Uint8Array, gzip: boolean): number {
  let payload = chunk.length;
  if (gzip) {
    const packed = gzipSync(chunk, { level: 6 }).length;
    if (packed < chunk.length * 0.95) payload = packed;
  }
  return wireBytesFor(payload, payload || 1);
}

/** What an upload of this file will cost on the line: the basis of the estimate shown first. */
export async function planUpload(localPath: string, baudRate: number, gzip = true): Promise<UploadPlan> {
  const file = await openLocal(localPath);
  try {
    return await planFrom(file, (await file.stat()).size, baudRate, gzip);
  } finally {
    await file.close();
  }
}

async function planFrom(file: FileHandle, bytes: number, baudRate: number, gzip: boolean): Promise<UploadPlan> {
  const chunkSize = chunkSizeFor(baudRate);
  const buffer = Buffer.alloc(chunkSize);
  const chunkWireBytes: number[] = [];
  for (let offset = 0; offset < bytes; offset += chunkSize) {
    const { bytesRead } = await file.read(buffer, 0, Math.min(chunkSize, bytes - offset), offset);
    chunkWireBytes.push(chunkWire(buffer.subarray(0, bytesRead), gzip));
  }
  const wireBytes = Math.round(chunkWireBytes.reduce((a, b) => a + b, 0));
  return { bytes, chunkSize, chunkWireBytes, wireBytes, seconds: estimateTransferSeconds(bytes, baudRate, wireBytes) };
}

async function openLocal(localPath: string): Promise<FileHandle> {
  try {
    return await open(localPath, 'r');
  } catch (error) {
    throw new SerialDeviceError(`Cannot read ${localPath}: ${(error as Error).message}.`);
  }
}

const MAX_RESENDS_PER_CHUNK = 4;

export async function uploadFile(
  session: ConsoleSession,
  localPath: string,
  remotePath: string,
  onProgress?: (p: SerialTransferProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  const file = await openLocal(localPath);
  try {
    const total = (await file.stat()).size;
    await session.exclusive(() => transfer(session, file, total, remotePath, onProgress, signal));
  } finally {
    await file.close();
  }
}

async function transfer(
  session: ConsoleSession,
  file: FileHandle,
  total: number,
  remotePath: string,
  onProgress: ((p: SerialTransferProgress) => void) | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const target = shellPath(remotePath);
  const staging = shellPath(`${remotePath}.eqpart`);
  const prepared = await session.runNow(
    `mkdir -p "$(dirname ${target})" && rm -f ${staging} && : >${staging} && { command -v gzip >/dev/null 2>&1 && echo gzip || true; }`,
    { timeoutMs: 20_000, ...(signal ? { signal } : {}) },
  );
  if (prepared.code !== 0) {
    throw new SerialDeviceError(`Cannot write ${remotePath} on ${session.link.label}: ${prepared.stderr.toString('utf8').trim() || `exit ${prepared.code}`}.`);
  }
  const gzip = prepared.stdout.toString('latin1').trim() === 'gzip';
  const plan = await planFrom(file, total, session.baudRate, gzip);
  session.log(`upload ${total} bytes as ${plan.wireBytes} line bytes${gzip ? ' (gzip)' : ''}, about ${Math.ceil(plan.seconds)} s at ${session.baudRate} baud`);
  const chunkTimeoutMs = 15_000 + 4 * estimateTransferSeconds(plan.chunkSize, session.baudRate) * 1000;
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(plan.chunkSize);
  const started = Date.now();
  let done = 0;
  let wireDone = 0;
  let resent = 0;
  const report = () => {
    const elapsed = (Date.now() - started) / 1000;
    const measured = elapsed >= 1 || done >= plan.chunkSize;
    // The line rate measured so far, once it covers a second or a chunk; before that, the plan.
    const wireRate = measured ? wireDone / Math.max(elapsed, 1e-3) : plan.wireBytes / Math.max(plan.seconds, 1e-3);
    const rate = measured ? done / Math.max(elapsed, 1e-3) : total / Math.max(plan.seconds, 1e-3);
    const etaSeconds = done >= total ? 0 : Math.max(0, plan.wireBytes - wireDone) / Math.max(wireRate, 1);
    onProgress?.({ bytesDone: done, bytesTotal: total, bytesPerSecond: rate, etaSeconds, resentChunks: resent });
  };
  report();
  for (let index = 0; done < total; index++) {
    if (signal?.aborted) throw new CancelledError('Upload cancelled; nothing was deployed.');
    const { bytesRead } = await file.read(buffer, 0, Math.min(plan.chunkSize, total - done), done);
    if (bytesRead === 0) throw new SerialDeviceError('The local file shrank while it was being sent.');
    const chunk = buffer.subarray(0, bytesRead);
    let ok = false;
    for (let attempt = 0; attempt <= MAX_RESENDS_PER_CHUNK && !ok; attempt++) {
      if (attempt > 0) {
        resent += 1;
        session.log(`chunk at byte ${done} arrived damaged; sending it again`);
      }
      ok = await session.sendChunkNow(chunk, staging, chunkTimeoutMs, signal, gzip);
    }
    if (!ok) {
      throw new SerialDeviceError(`A chunk at byte ${done} arrived damaged ${MAX_RESENDS_PER_CHUNK + 1} times on ${session.link.label}: the line is too noisy; lower the baud rate.`);
    }
    hash.update(chunk);
    done += bytesRead;
    wireDone += plan.chunkWireBytes[index] ?? 0;
    report();
  }
  const local = hash.digest('hex');
  const checked = await session.runNow(
    `h=$(sha256sum ${staging} | cut -d' ' -f1) && [ "$h" = ${local} ] && mv -f ${staging} ${target} && echo "$h"`,
    { timeoutMs: 60_000 + total / 20_000, ...(signal ? { signal } : {}) },
  );
  if (checked.code !== 0 || checked.stdout.toString('latin1').trim() !== local) {
    const why = checked.stderr.toString('utf8').trim();
    throw new SerialDeviceError(
      `The copy of ${remotePath} on ${session.link.label} does not match the local file (sha256 check failed${why ? `: ${why.split('\n')[0]}` : ''}); nothing was deployed, retry.`,
    );
  }
}

/**
 * Reads a board file in chunks of about two seconds of line time, each checksummed (a damaged
 * chunk is sent again, not the whole file), then checks the whole file's sha256.
 */
export async function downloadFile(session: ConsoleSession, remotePath: string, signal?: AbortSignal): Promise<Uint8Array> {
  const path = shellPath(remotePath);
  const opts = (timeoutMs: number) => ({ timeoutMs, ...(signal ? { signal } : {}) });
  return session.exclusive(async () => {
    const head = await session.runNow(`wc -c <${path} && sha256sum ${path} | cut -d' ' -f1`, opts(60_000));
    const [sizeText, boardSha] = head.stdout.toString('latin1').trim().split('\n');
    const size = Number(sizeText);
    if (head.code !== 0 || !Number.isInteger(size) || !/^[0-9a-f]{64}$/.test(boardSha ?? '')) {
      throw new SerialDeviceError(`Cannot read ${remotePath} on ${session.link.label}: ${head.stderr.toString('utf8').trim().split('\n')[0] || `exit ${head.code}`}.`);
    }
    const chunkSize = chunkSizeFor(session.baudRate);
    const chunkTimeoutMs = 15_000 + 4 * estimateTransferSeconds(chunkSize, session.baudRate) * 1000;
    const parts: Buffer[] = [];
    for (let index = 0; index * chunkSize < size; index++) {
      if (signal?.aborted) throw new CancelledError('Download cancelled.');
      const part = await session.runNow(`dd if=${path} bs=${chunkSize} skip=${index} count=1 2>/dev/null`, opts(chunkTimeoutMs));
      if (part.code !== 0) throw new SerialDeviceError(`Reading ${remotePath} on ${session.link.label} failed at byte ${index * chunkSize}.`);
      parts.push(part.stdout);
    }
    const data = Buffer.concat(parts);
    if (data.length !== size || createHash('sha256').update(data).digest('hex') !== boardSha) {
      throw new SerialDeviceError(`${remotePath} changed on ${session.link.label} while it was read (size or sha256 differ); retry.`);
    }
    return new Uint8Array(data);
  });
}
