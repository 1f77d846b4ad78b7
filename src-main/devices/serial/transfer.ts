// File transfer over the console: checksummed base64 chunks appended to a staging file, the
// whole file's sha256 checked on the board, then a rename. A transfer that stops half way
// leaves only the staging file, never the target name.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { CancelledError } from '../../errors';
import type { TransferProgress } from '../transport';
import type { ConsoleSession } from './console';
import { SerialDeviceError } from './errors';
import { shellPath } from './framing';

export interface SerialTransferProgress extends TransferProgress {
  /** Payload bytes per second measured so far (estimated from the baud rate at first). */
  bytesPerSecond: number;
  /** Seconds left at that rate. */
  etaSeconds: number;
  /** Chunks sent again after a checksum mismatch. */
  resentChunks: number;
}

/** base64 (4/3) plus one newline per 76 characters, over 10 line bits per byte (8N1). */
const WIRE_FACTOR = (4 / 3) * (77 / 76);
/** Share of the line a transfer achieves (replies, shell turnarounds), measured on the pty. */
const LINE_EFFICIENCY = 0.95;

/** Seconds a file of `bytes` takes to upload at `baudRate`, before any measurement. */
export function estimateTransferSeconds(bytes: number, baudRate: number): number {
  return (bytes * WIRE_FACTOR) / ((baudRate / 10) * LINE_EFFICIENCY);
}

/** Raw bytes per chunk: about two seconds of line time, between 2 KiB and 48 KiB. */
export function chunkSizeFor(baudRate: number): number {
  const twoSeconds = (2 * baudRate) / 10 / WIRE_FACTOR;
  return Math.max(2048, Math.min(48 * 1024, Math.floor(twoSeconds / 57) * 57));
}

const MAX_RESENDS_PER_CHUNK = 4;

export async function uploadFile(
  session: ConsoleSession,
  localPath: string,
  remotePath: string,
  onProgress?: (p: SerialTransferProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  const file = await open(localPath, 'r').catch((error: Error) => {
    throw new SerialDeviceError(`Cannot read ${localPath}: ${error.message}.`);
  });
  try {
    const total = (await file.stat()).size;
    await session.exclusive(() => transfer(session, file, total, remotePath, onProgress, signal));
  } finally {
    await file.close();
  }
}

async function transfer(
  session: ConsoleSession,
  file: import('node:fs/promises').FileHandle,
  total: number,
  remotePath: string,
  onProgress: ((p: SerialTransferProgress) => void) | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const target = shellPath(remotePath);
  const staging = shellPath(`${remotePath}.eqpart`);
  const chunkSize = chunkSizeFor(session.baudRate);
  const chunkTimeoutMs = 15_000 + 4 * estimateTransferSeconds(chunkSize, session.baudRate) * 1000;
  const prepared = await session.runNow(`mkdir -p "$(dirname ${target})" && rm -f ${staging} && : >${staging}`, { timeoutMs: 20_000, signal });
  if (prepared.code !== 0) {
    throw new SerialDeviceError(`Cannot write ${remotePath} on ${session.link.label}: ${prepared.stderr.toString('utf8').trim() || `exit ${prepared.code}`}.`);
  }
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(chunkSize);
  const started = Date.now();
  let done = 0;
  let resent = 0;
  const report = () => {
    const elapsed = (Date.now() - started) / 1000;
    const estimated = total / Math.max(estimateTransferSeconds(total, session.baudRate), 1e-3);
    // Trust the measurement once it covers a second or a chunk; before that, the baud rate.
    const rate = elapsed >= 1 || done >= chunkSize ? done / Math.max(elapsed, 1e-3) : estimated;
    onProgress?.({ bytesDone: done, bytesTotal: total, bytesPerSecond: rate, etaSeconds: (total - done) / Math.max(rate, 1), resentChunks: resent });
  };
  report();
  while (done < total) {
    if (signal?.aborted) throw new CancelledError('Upload cancelled; nothing was deployed.');
    const { bytesRead } = await file.read(buffer, 0, Math.min(chunkSize, total - done), done);
    if (bytesRead === 0) throw new SerialDeviceError('The local file shrank while it was being sent.');
    const chunk = buffer.subarray(0, bytesRead);
    let ok = false;
    for (let attempt = 0; attempt <= MAX_RESENDS_PER_CHUNK && !ok; attempt++) {
      if (attempt > 0) resent += 1;
      ok = await session.sendChunkNow(chunk, staging, chunkTimeoutMs, signal);
    }
    if (!ok) {
      throw new SerialDeviceError(`A chunk at byte ${done} arrived damaged ${MAX_RESENDS_PER_CHUNK + 1} times on ${session.link.label}: the line is too noisy; lower the baud rate.`);
    }
    hash.update(chunk);
    done += bytesRead;
    report();
  }
  const local = hash.digest('hex');
  const checked = await session.runNow(
    `h=$(sha256sum ${staging} | cut -d' ' -f1) && [ "$h" = ${local} ] && mv -f ${staging} ${target} && echo "$h"`,
    { timeoutMs: 60_000 + total / 20_000, signal },
  );
  if (checked.code !== 0 || checked.stdout.toString('latin1').trim() !== local) {
    const why = checked.stderr.toString('utf8').trim();
    throw new SerialDeviceError(
      `The copy of ${remotePath} on ${session.link.label} does not match the local file (sha256 check failed${why ? `: ${why.split('\n')[0]}` : ''}); nothing was deployed, retry.`,
    );
  }
}

/** Reads a board file; its bytes travel with a checksum and are re-sent if damaged. */
export async function downloadFile(session: ConsoleSession, remotePath: string, signal?: AbortSignal): Promise<Uint8Array> {
  const result = await session.run(`cat ${shellPath(remotePath)}`, { timeoutMs: 600_000, ...(signal ? { signal } : {}) });
  if (result.code !== 0) {
    throw new SerialDeviceError(`Cannot read ${remotePath} on ${session.link.label}: ${result.stderr.toString('utf8').trim() || `exit ${result.code}`}.`);
  }
  return new Uint8Array(result.stdout);
}
