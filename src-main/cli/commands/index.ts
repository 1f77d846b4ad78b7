// The command table. Add one line per command; keep it sorted as shown in --help.
import type { Command } from '../command';
import { projectCommand } from './project';
import { benchCommand } from './bench';
import { deployCommand } from './deploy';
import { deviceCommand } from './device';

export const commands: readonly Command[] = [
  projectCommand,
  deviceCommand,
  deployCommand,
  benchCommand,
];
