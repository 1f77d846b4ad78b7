// .ci/system-packages (what .ci/run installs on a fresh Debian machine) covers every program the
// tests, their helpers and the app spawn, and each listed program really comes from its package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { repoRoot } from '../helpers/build';

/** package → the programs it provides that something here runs. */
function listedPackages(): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  for (const line of readFileSync(join(repoRoot, '.ci', 'system-packages'), 'utf8').split('\n')) {
    const entry = line.replace(/#.*/, '').trim();
    if (!entry) continue;
    const [name, programs] = entry.split(':');
    packages.set(name!.trim(), programs!.trim().split(/\s+/).filter(Boolean));
  }
  return packages;
}

/** Programs that need no Debian package of ours, with the reason. */
const NOT_PACKAGES: Record<string, string> = {
  npm: 'comes with Node.js, which runs everything here',
  udevadm: 'optional: serial ports are listed from sysfs without it',
  'chromium-browser': "Chromium's name on other distributions (the browser opener tries it too)",
  'google-chrome': 'a fallback the browser opener tries when Chromium is absent',
  'dpkg-query': 'dpkg itself, on every Debian machine (the check skips elsewhere)',
};

/** A package's direct dependencies: python3's program lives in python3-minimal, which it pulls in. */
function dependsOf(name: string): string[] {
  const out = spawnSync('dpkg-query', ['-W', '-f=${Pre-Depends}, ${Depends}', name], { encoding: 'utf8' }).stdout ?? '';
  return out.split(/[,|]/).map((d) => d.trim().split(/[\s:(]/)[0]!).filter(Boolean);
}

function sources(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sources(path));
    else if (/\.(ts|mjs)$/.test(entry.name)) found.push(path);
  }
  return found;
}

/** Program names the code starts: spawn/execFile literals, absolute program paths, script shebangs. */
function spawnedPrograms(): Map<string, string> {
  const patterns = [
    /\b(?:spawn|spawnSync|execFile|execFileSync)\(\s*'([^'\s$]+)/g,
    /'\/(?:usr\/)?s?bin\/([\w.+-]+)'/g,
    /#!\/bin\/(\w+)/g,
    /EXEC:([a-z]+)\b/g,
    /\?\? '(python3)'/g,
  ];
  const seen = new Map<string, string>();
  for (const root of ['src-main', 'test', 'scripts']) {
    for (const file of sources(join(repoRoot, root))) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of patterns) {
        for (const match of text.matchAll(pattern)) {
          const program = basename(match[1]!);
          if (!seen.has(program)) seen.set(program, file.slice(repoRoot.length + 1));
        }
      }
    }
  }
  return seen;
}

test('every program the code spawns comes from a package in .ci/system-packages', () => {
  const listed = new Set([...listedPackages().values()].flat());
  const spawned = spawnedPrograms();
  // The scan is not empty-handed: these are known to be spawned today.
  for (const known of ['socat', 'sshd', 'ssh-keygen', 'ssh-agent', 'chromium', 'python3', 'script', 'bash', 'sh']) {
    assert.ok(spawned.has(known), `the scan finds ${known}`);
  }
  const missing = [...spawned].filter(([program]) => !listed.has(program) && !(program in NOT_PACKAGES));
  assert.deepEqual(missing, [], 'add each program (and its Debian package) to .ci/system-packages');
});

/** Which packages own each path, in one dpkg-query call (each call reads every file list). */
function owners(paths: string[]): Map<string, string[]> {
  const out = spawnSync('dpkg-query', ['-S', ...paths], { encoding: 'utf8' }).stdout ?? '';
  const byPath = new Map<string, string[]>();
  for (const [, names, path] of out.matchAll(/^([^:\n]+): (\S+)$/gm)) {
    if (names!.startsWith('diversion by')) continue;
    byPath.set(path!, [...(byPath.get(path!) ?? []), ...names!.split(', ')]);
  }
  return byPath;
}

test('dpkg says each listed program comes from its package (programs absent here are reported)', (t) => {
  if (spawnSync('dpkg-query', ['--version']).error) return t.skip('not a Debian machine');
  const listed = listedPackages();
  // Merged /usr: dpkg knows some programs by their /bin path only.
  const where = (program: string) => ['/usr/bin', '/usr/sbin', '/bin', '/sbin'].map((d) => join(d, program)).filter((p) => existsSync(p));
  const known = owners([...listed.values()].flat().flatMap(where));
  const absent: string[] = [];
  for (const [name, programs] of listed) {
    for (const program of programs) {
      if (where(program).length === 0) {
        absent.push(`${program} (${name})`);
        continue;
      }
      const found = where(program).flatMap((path) => known.get(path) ?? []);
      const provided = found.includes(name) || found.some((owner) => dependsOf(name).includes(owner));
      assert.ok(provided, `${program}: dpkg names ${found.join(', ') || 'no package'}, the list says ${name}`);
    }
  }
  if (absent.length > 0) t.diagnostic(`not installed here: ${absent.join(', ')}`);
});
