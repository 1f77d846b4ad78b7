// Stored board configuration (devices.json under $EDGEQUANT_HOME). Secrets are never stored
// in plain text: passwords are asked each time (CLI) or kept with Electron safeStorage.

export interface SshDeviceConfig {
  kind: 'ssh';
  name: string;
  host: string;
  port: number;
  user: string;
  /** Private key file; absent → ssh-agent or a password prompt. */
  keyFile?: string;
  /** Path of libtensorflowlite_c.so on the board, when the runner should use it. */
  tfliteLibrary?: string;
  /** How long to wait for the SSH handshake; default 10 s. */
  connectTimeoutMs?: number;
}

export interface SerialDeviceConfig {
  kind: 'serial';
  name: string;
  path: string;
  baudRate: number;
  rtscts?: boolean;
  user?: string;
  tfliteLibrary?: string;
}

export interface LocalDeviceConfig {
  kind: 'local';
  name: 'local';
}

export type DeviceConfig = SshDeviceConfig | SerialDeviceConfig | LocalDeviceConfig;
