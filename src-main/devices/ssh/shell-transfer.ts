// File transfer through a plain shell channel (`cat`), for boards whose SSH server has no SFTP
// subsystem (Dropbear or BusyBox images often lack sftp-server). Verification stays with the
// caller (deploy checks sha256 on the board), as with SFTP.
import { createReadStream, statSync } from 'node:fs';
import type { Client, ClientChannel } from 'ssh2';
import type { TransferProgress } from '../transport';
import { DeviceError } from '../errors';
import { CancelledError } from '../../errors';
import { shq } from '../remote';

function openChannel(client: Client, command: string, label: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) =>
    client.exec(command, (err, stream) => (err ? reject(new DeviceError(`${label}: cannot start '${command}' (${err.message}).`)) : resolve(stream))),
  );
}

export async function uploadThroughShell(
  client: Client,
  label: string,
  localPath: string,
  remotePath: string,
  onProgress?: (p: TransferProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) throw new CancelledError();
  const total = statSync(localPath).size;
  const channel = await openChannel(client, `cat > ${shq(remotePath)}`, label);
  await new Promise<void>((resolve, reject) => {
    let done = 0;
    let stderr = '';
    const source = createReadStream(localPath, { highWaterMark: 256 * 1024 });
    const onAbort = () => {
      source.destroy();
      channel.close();
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    source.on('data', (chunk) => {
      done += chunk.length;
      onProgress?.({ bytesDone: done, bytesTotal: total });
    });
    source.on('error', (e) => reject(new DeviceError(`cannot read ${localPath} (${e.message}).`)));
    channel.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    channel.resume(); // `cat > file` prints nothing, but the channel only closes once its output is drained
    channel.on('close', (code: number | null) => {
      signal?.removeEventListener('abort', onAbort);
      if (code === 0 && done === total) resolve();
      else reject(new DeviceError(`${label}: upload to ${remotePath} failed (exit ${code}${stderr ? `: ${stderr.trim().split('\n')[0]}` : ''}).`));
    });
    source.pipe(channel);
  });
}

export async function downloadThroughShell(client: Client, label: string, remotePath: string): Promise<Uint8Array> {
  const channel = await openChannel(client, `cat ${shq(remotePath)}`, label);
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let stderr = '';
    channel.on('data', (d: Buffer) => parts.push(d));
    channel.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    channel.on('close', (code: number | null) => {
      if (code === 0) resolve(new Uint8Array(Buffer.concat(parts)));
      else reject(new DeviceError(`${label}: cannot read ${remotePath} (${stderr.trim().split('\n')[0] || `exit ${code}`}).`));
    });
    channel.end();
  });
}
