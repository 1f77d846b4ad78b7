// Electron fuses flipped in every package (afterPack, before signing): switches compiled into
// the Electron binary that turn off ways to run other code with the app's identity. One row per
// fuse, so a review reads the whole policy here; test/electron/packaging.test.ts checks it.
import { join } from 'node:path';
import { flipFuses, FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses';

export type PackagePlatform = 'linux' | 'darwin' | 'mas' | 'win32';

export interface FuseRule {
  fuse: keyof typeof FuseV1Options;
  enabled: boolean;
  /** Only on these platforms (off elsewhere); all platforms when absent. */
  only?: readonly PackagePlatform[];
  why: string;
}

export const FUSES: readonly FuseRule[] = [
  { fuse: 'RunAsNode', enabled: false, why: 'ELECTRON_RUN_AS_NODE=1 would make the app binary a plain Node that runs any script' },
  { fuse: 'EnableCookieEncryption', enabled: true, why: 'cookies on disk encrypted with the OS key store' },
  { fuse: 'EnableNodeOptionsEnvironmentVariable', enabled: false, why: 'NODE_OPTIONS=--require … would load code into the main process' },
  { fuse: 'EnableNodeCliInspectArguments', enabled: false, why: '--inspect or SIGUSR1 would let a local process debug the main process' },
  {
    fuse: 'EnableEmbeddedAsarIntegrityValidation',
    enabled: true,
    only: ['darwin', 'mas', 'win32'],
    why: 'app.asar is checked against the hash electron-builder embeds; Electron validates it on macOS and Windows only',
  },
  { fuse: 'OnlyLoadAppFromAsar', enabled: true, why: 'an app/ folder dropped next to app.asar is never loaded instead' },
  { fuse: 'LoadBrowserProcessSpecificV8Snapshot', enabled: false, why: 'Electron default; no custom snapshot is shipped' },
  { fuse: 'GrantFileProtocolExtraPrivileges', enabled: false, why: 'the window loads app://, so file:// pages get no extra powers' },
];

/** The @electron/fuses config for one package. Ad-hoc signed arm64 macOS binaries must be re-signed after the flip. */
export function fuseConfig(platform: PackagePlatform, arch: 'x64' | 'arm64' | 'universal' | string): FuseV1Config {
  const config: FuseV1Config = { version: FuseVersion.V1, resetAdHocDarwinSignature: (platform === 'darwin' || platform === 'mas') && arch !== 'x64' };
  for (const rule of FUSES) config[FuseV1Options[rule.fuse]] = rule.enabled && (rule.only === undefined || rule.only.includes(platform));
  return config;
}

/** Where the fuse wire lives in a packed app (the .app bundle: @electron/fuses finds the framework in it). */
export function electronBinaryPath(appOutDir: string, platform: PackagePlatform, names: { productFilename: string; executableName: string }): string {
  switch (platform) {
    case 'darwin':
    case 'mas':
      return join(appOutDir, `${names.productFilename}.app`);
    case 'win32':
      return join(appOutDir, `${names.productFilename}.exe`);
    case 'linux':
      return join(appOutDir, names.executableName);
  }
}

/** The part of electron-builder's AfterPackContext the hook reads. */
export interface PackedApp {
  appOutDir: string;
  electronPlatformName: string;
  /** electron-builder's Arch enum: 1 x64, 3 arm64, 4 universal. */
  arch: number;
  packager: { appInfo: { productFilename: string }; executableName?: string };
}

const ARCH_NAMES: Record<number, string> = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64', 4: 'universal' };

/** electron-builder afterPack hook: flips FUSES in the packed Electron binary. */
export async function afterPack(context: PackedApp): Promise<void> {
  const platform = context.electronPlatformName as PackagePlatform;
  if (!['linux', 'darwin', 'mas', 'win32'].includes(platform)) throw new Error(`afterPack: no fuse policy for platform '${platform}'.`);
  const { productFilename } = context.packager.appInfo;
  const binary = electronBinaryPath(context.appOutDir, platform, { productFilename, executableName: context.packager.executableName ?? productFilename });
  await flipFuses(binary, fuseConfig(platform, ARCH_NAMES[context.arch] ?? String(context.arch)));
}
