// Where app state lives: $EDGEQUANT_HOME, else the platform's config directory.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function edgequantHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EDGEQUANT_HOME) return env.EDGEQUANT_HOME;
  const home = env.HOME ?? homedir();
  if (process.platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'EdgeQuant Studio');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'EdgeQuant Studio');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'edgequant');
}
