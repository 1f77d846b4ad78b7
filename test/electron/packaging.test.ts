// Packaging without a packaging run (it downloads Electron and platform tools): the
// electron-builder config loaded and schema-checked by electron-builder itself, the fuse table,
// and the afterPack hook flipping fuses in files laid out as packed apps with a real fuse wire.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import type { Configuration } from 'electron-builder';
import config, { ASAR_UNPACK } from '../../packaging/electron-builder';
import { afterPack, FUSES, fuseConfig, type PackagePlatform } from '../../packaging/fuses';
import { repoRoot } from '../helpers/build';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'eq-packaging-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ON = 0x31;
const OFF = 0x30;
/** The fuse wire as Electron ships it (schema v1): RunAsNode, NodeOptions, CLI inspect and file:// privileges on. */
const SHIPPED_WIRE = [ON, OFF, ON, ON, OFF, OFF, OFF, ON];

/** A file laid out like an Electron binary around its fuse wire: sentinel, version 1, length, wire. */
function fakeElectronBinary(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const sentinel = Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX');
  writeFileSync(path, Buffer.concat([Buffer.alloc(4096, 0x90), sentinel, Buffer.from([1, SHIPPED_WIRE.length, ...SHIPPED_WIRE]), Buffer.alloc(4096, 0x90)]));
}

test('electron-builder loads packaging/electron-builder.ts and its schema accepts it', async () => {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
    getConfig(projectDir: string, configPath: string | null, fromOptions: unknown): Promise<Configuration>;
    validateConfiguration(config: Configuration, logger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  const loaded = await getConfig(repoRoot, join(repoRoot, 'packaging', 'electron-builder.ts'), null);
  await validateConfiguration(loaded, new DebugLogger(false));
  assert.equal(loaded.appId, 'dev.edgequant.studio');
  assert.equal(typeof loaded.afterPack, 'function', 'the fuse hook survives loading');
  // The schema refuses a misspelt option: the check above is real.
  await assert.rejects(validateConfiguration({ ...loaded, asarUnpak: [] } as Configuration, new DebugLogger(false)), /asarUnpak/);
});

test('targets: Linux x64/arm64 AppImage + deb, macOS dmg, Windows nsis; asar on, native modules unpacked', () => {
  const targets = (platform: 'linux' | 'mac' | 'win') =>
    (config[platform]!.target as { target: string; arch: string[] }[]).map((t) => `${t.target}:${t.arch.join('+')}`);
  assert.deepEqual(targets('linux'), ['AppImage:x64+arm64', 'deb:x64+arm64'], 'a Raspberry Pi desktop is arm64 Linux');
  assert.deepEqual(targets('mac'), ['dmg:x64+arm64']);
  assert.deepEqual(targets('win'), ['nsis:x64+arm64']);
  assert.equal(config.asar, true);
  assert.equal(config.npmRebuild, false);
  assert.equal(config.publish, null, 'nothing is uploaded anywhere');
  assert.deepEqual(config.asarUnpack, ASAR_UNPACK);
  for (const glob of ASAR_UNPACK.filter((g) => g.startsWith('node_modules/'))) {
    const folder = join(repoRoot, glob.replace(/\/\*\*$/, ''));
    assert.ok(existsSync(folder), `${glob}: ${folder} exists (a renamed package would silently stay packed)`);
  }
  assert.ok(existsSync(join(repoRoot, 'node_modules', 'tfjs-tflite-node', 'cc_deps', 'linux_arm64')), 'the TFLite C library for arm64 Linux ships');
  // The board runner is found where src-main/devices/runner.ts looks in a package: resources/runners.
  // The demo's data, written by the build into out/demo, ships as resources/demo (test/projects/demo-build.test.ts).
  assert.deepEqual(config.extraResources, [{ from: 'resources/runners', to: 'runners' }, { from: 'out/demo', to: 'demo' }]);
  assert.ok((config.files as string[]).includes('!out/demo/**'), 'the demo is not also packed into app.asar');
  assert.ok(existsSync(join(repoRoot, 'resources', 'runners')));
  assert.match(readFileSync(join(repoRoot, 'src-main', 'devices', 'runner.ts'), 'utf8'), /resourcesPath[^\n]*'runners'/);
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string> };
  assert.match(pkg.scripts.dist!, /electron-builder --config packaging\/electron-builder\.ts --publish never/);
  for (const flag of ['linux', 'mac', 'win']) assert.equal(pkg.scripts[`dist:${flag}`], `npm run dist -- --${flag}`);
  assert.ok(pkg.devDependencies['electron-builder'] && pkg.devDependencies['@electron/fuses']);
});

test('fuse table: run-as-node, NODE_OPTIONS and --inspect off; asar only (with integrity where Electron checks it); cookies encrypted', () => {
  const row = (fuse: string) => FUSES.find((f) => f.fuse === fuse)!;
  assert.equal(row('RunAsNode').enabled, false);
  assert.equal(row('EnableNodeOptionsEnvironmentVariable').enabled, false);
  assert.equal(row('EnableNodeCliInspectArguments').enabled, false);
  assert.equal(row('OnlyLoadAppFromAsar').enabled, true);
  assert.equal(row('EnableCookieEncryption').enabled, true);
  assert.equal(row('GrantFileProtocolExtraPrivileges').enabled, false);
  // Every fuse @electron/fuses knows has a row with a reason: an upgrade that adds one fails here.
  const known = Object.keys(FuseV1Options).filter((k) => Number.isNaN(Number(k)));
  assert.deepEqual(FUSES.map((f) => f.fuse).sort(), known.sort());
  for (const f of FUSES) assert.ok(f.why.length > 10, f.fuse);
  // RunAsNode off breaks child_process.fork and re-running process.execPath as Node: the app does neither.
  const engine = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? engine(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  for (const file of engine(join(repoRoot, 'src-main'))) {
    assert.doesNotMatch(readFileSync(file, 'utf8'), /\bfork\(|process\.execPath|ELECTRON_RUN_AS_NODE/, file);
  }
  const integrity = (platform: PackagePlatform, arch = 'x64') => fuseConfig(platform, arch)[FuseV1Options.EnableEmbeddedAsarIntegrityValidation];
  assert.equal(integrity('darwin'), true);
  assert.equal(integrity('win32'), true);
  assert.equal(integrity('linux'), false, 'Electron does not validate asar integrity on Linux');
  assert.equal(fuseConfig('darwin', 'arm64').resetAdHocDarwinSignature, true, 'arm64 macOS is re-signed ad hoc after the flip');
  assert.equal(fuseConfig('darwin', 'x64').resetAdHocDarwinSignature, false);
  assert.equal(fuseConfig('linux', 'arm64').resetAdHocDarwinSignature, false);
});

test('afterPack flips the fuse wire of the packed binary for Linux, Windows and macOS layouts', async () => {
  const layouts: { platform: PackagePlatform; arch: number; binary: string }[] = [
    { platform: 'linux', arch: 3, binary: 'edgequant-studio' },
    { platform: 'win32', arch: 1, binary: 'EdgeQuant Studio.exe' },
    { platform: 'darwin', arch: 1, binary: 'EdgeQuant Studio.app/Contents/Frameworks/Electron Framework.framework/Electron Framework' },
  ];
  for (const { platform, arch, binary } of layouts) {
    const appOutDir = join(dir, `${platform}-unpacked`);
    fakeElectronBinary(join(appOutDir, binary));
    await afterPack({ appOutDir, electronPlatformName: platform, arch, packager: { appInfo: { productFilename: 'EdgeQuant Studio' }, executableName: 'edgequant-studio' } });
    const wire = await getCurrentFuseWire(platform === 'darwin' ? join(appOutDir, 'EdgeQuant Studio.app') : join(appOutDir, binary));
    const expected = fuseConfig(platform, 'x64');
    for (const f of FUSES) {
      const index = FuseV1Options[f.fuse];
      assert.equal(wire[index], expected[index] ? ON : OFF, `${platform}: ${f.fuse}`);
    }
    assert.equal(wire[FuseV1Options.RunAsNode], OFF, `${platform}: ELECTRON_RUN_AS_NODE no longer works`);
    assert.equal(wire[FuseV1Options.OnlyLoadAppFromAsar], ON);
  }
  await assert.rejects(
    afterPack({ appOutDir: dir, electronPlatformName: 'freebsd', arch: 1, packager: { appInfo: { productFilename: 'x' } } }),
    /no fuse policy for platform 'freebsd'/,
  );
});
