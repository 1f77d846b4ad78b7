// What every board connection offers, whatever the cable: SSH, a serial console, or this
// computer. Deploy, probe and bench are written once against this interface.

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit code of the command on the board. */
  code: number;
}

export interface ExecOptions {
  timeoutMs?: number;
  /** Bytes fed to the command's standard input. */
  stdin?: Uint8Array | string;
  signal?: AbortSignal;
  /** Standard error as it arrives (progress lines of the runner). Optional for a transport to honour. */
  onStderr?: (text: string) => void;
}

export interface TransferProgress {
  bytesDone: number;
  bytesTotal: number;
}

export interface BoardTransport {
  /** Human label for errors, e.g. "ssh pi@10.0.0.5:22" or "serial /dev/ttyUSB0". */
  readonly label: string;
  /** Runs a POSIX shell command on the board. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Writes a local file to an absolute or home-relative path on the board (no verification). */
  upload(
    localPath: string,
    remotePath: string,
    onProgress?: (p: TransferProgress) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Reads a file from the board. */
  download(remotePath: string, signal?: AbortSignal): Promise<Uint8Array>;
  close(): Promise<void>;
}
