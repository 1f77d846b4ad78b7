// The command table. Add one line per command; keep it sorted as shown in --help.
import type { Command } from '../command';
import { projectCommand } from './project';

export const commands: readonly Command[] = [
  projectCommand,
];
