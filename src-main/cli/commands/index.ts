// The command table. Add one line per command; keep it sorted as shown in --help.
import type { Command } from '../command';
import { inspectCommand } from './inspect';
import { projectCommand } from './project';
import { benchCommand } from './bench';
import { deployCommand } from './deploy';
import { deviceCommand } from './device';
import { convertCommand } from './convert';
import { evaluateCommand } from './evaluate';
import { debugCommand } from './debug';
import { searchCommand } from './search';

export const commands: readonly Command[] = [
  inspectCommand,
  convertCommand,
  evaluateCommand,
  debugCommand,
  searchCommand,
  projectCommand,
  deviceCommand,
  deployCommand,
  benchCommand,
];
