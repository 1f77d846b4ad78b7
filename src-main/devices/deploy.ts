// Deploy: upload to a staging name in ~/.edgequant/<project>/ on the board, verify the sha256
// there, then rename. Only a verified, renamed file is recorded as deployed, so a dropped
// connection leaves no record and the next try starts clean (stale staging files are removed).
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BoardTransport, TransferProgress } from './transport';
import type { DeviceStore } from './store';
import { DeviceError, DeviceInputError } from './errors';
import { boardHome, localSha256, remoteSha256, run, shq } from './remote';

export interface DeployOptions {
  /** Folder under ~/.edgequant/ on the board; default "default". */
  project?: string;
  /** Device name for the deployment record; no record is written without a store. */
  deviceName?: string;
  store?: DeviceStore;
  onProgress?: (p: TransferProgress) => void;
  signal?: AbortSignal;
  /** Name on the board; default: the local file name. */
  remoteName?: string;
}

export interface DeployResult {
  remotePath: string;
  sha256: string;
  bytes: number;
  /** True when the board already had a file with this hash at that path. */
  skipped: boolean;
  uploadMs: number;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Throws unless `path` starts like a TFLite flatbuffer ("TFL3" at byte 4). */
export function checkTfliteFile(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new DeviceInputError(`cannot read model ${path} (${(error as NodeJS.ErrnoException).code}).`);
  }
  const head = Buffer.alloc(8);
  try {
    readSync(fd, head, 0, 8, 0);
  } finally {
    closeSync(fd);
  }
  if (head.subarray(4, 8).toString('latin1') !== 'TFL3') {
    throw new DeviceInputError(`${path} is not a .tflite model (no TFL3 identifier); convert it first.`);
  }
}

/** The board folder for a project given as a name or a local project directory: its safe base name. */
export function boardFolderOf(project: string | undefined): string | undefined {
  if (project === undefined) return undefined;
  const base = basename(project.replace(/[\\/]+$/, '')).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._-]+/, '');
  return base === '' ? 'default' : base.slice(0, 128);
}

export async function boardDir(transport: BoardTransport, project: string): Promise<string> {
  if (!SAFE_NAME.test(project)) throw new DeviceInputError(`project name '${project}' must be letters, digits, '.', '_' or '-'.`);
  return `${await boardHome(transport)}/.edgequant/${project}`;
}

/** Puts a file on the board with staging + sha256 verification; see the module comment. */
export async function deployFile(transport: BoardTransport, localPath: string, options: DeployOptions = {}): Promise<DeployResult> {
  const name = options.remoteName ?? basename(localPath);
  if (!SAFE_NAME.test(name)) throw new DeviceInputError(`file name '${name}' must be letters, digits, '.', '_' or '-' to go on a board.`);
  const bytes = statSync(localPath).size;
  const sha256 = await localSha256(localPath);
  const dir = await boardDir(transport, options.project ?? 'default');
  const finalPath = `${dir}/${name}`;
  await run(transport, `mkdir -p ${shq(dir)} && rm -f ${shq(dir)}/.${name}.part-*`, `preparing ${dir}`);
  const record = () =>
    options.store && options.deviceName
      ? options.store.recordDeployment({
          device: options.deviceName,
          project: options.project ?? 'default',
          remotePath: finalPath,
          sha256,
          bytes,
          deployedAt: new Date().toISOString(),
        })
      : undefined;

  if ((await remoteSha256(transport, finalPath)) === sha256) {
    record();
    return { remotePath: finalPath, sha256, bytes, skipped: true, uploadMs: 0 };
  }
  // A different file may sit at the final path: it stays valid until the rename below.
  const staging = `${dir}/.${name}.part-${randomBytes(4).toString('hex')}`;
  const started = performance.now();
  await transport.upload(localPath, staging, options.onProgress, options.signal);
  const uploadMs = performance.now() - started;
  const onBoard = await remoteSha256(transport, staging);
  if (onBoard !== sha256) {
    await transport.exec(`rm -f ${shq(staging)}`);
    throw new DeviceError(`${transport.label}: sha256 on the board (${onBoard ?? 'missing'}) differs from ${sha256} after upload; deploy again.`);
  }
  await run(transport, `mv -f ${shq(staging)} ${shq(finalPath)}`, `renaming ${staging}`);
  record();
  return { remotePath: finalPath, sha256, bytes, skipped: false, uploadMs };
}

/** Deploys a .tflite model (checked locally first). */
export async function deployModel(transport: BoardTransport, modelPath: string, options: DeployOptions = {}): Promise<DeployResult> {
  checkTfliteFile(modelPath);
  return deployFile(transport, modelPath, options);
}
