// `--open`: a Chromium app window when one is installed, else the desktop's default browser.
import { existsSync } from 'node:fs';
import type { spawn as spawnType } from 'node:child_process';

const CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function browserCommand(url: string, platform: NodeJS.Platform = process.platform, exists = existsSync): [string, string[]] {
  const chromium = CHROMIUMS.find((p) => exists(p));
  if (chromium) return [chromium, [`--app=${url}`]];
  if (platform === 'darwin') return ['open', [url]];
  if (platform === 'win32') return ['cmd', ['/c', 'start', '', url]];
  return ['xdg-open', [url]];
}

export function openBrowser(url: string, spawn: typeof spawnType): void {
  const [command, args] = browserCommand(url);
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  child.on('error', (error) => process.stderr.write(`edgequant host: could not open a browser (${error.message}); open the URL above.\n`));
  child.unref();
}
