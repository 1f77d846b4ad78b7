// The command table. Add one line per command; keep it sorted as shown in --help.
import type { Command } from '../command';

export const commands: readonly Command[] = [];
