// The shape of one CLI command. Each command lives in cli/commands/<name>.ts and is listed
// once in cli/commands/index.ts; main.ts only dispatches.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../errors';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Current directory for relative paths. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  name: string;
  /** One line for `edgequant --help`. */
  summary: string;
  /** Full usage text for `edgequant <name> --help`. */
  usage: string;
  /** Returns the exit code (0 on success). Throw an EdgeQuantError for failures. */
  run(argv: string[], io: CliIO): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with strict checking; bad flags become an InputError (exit 2) naming the flag. */
export function parseCommandArgs<T extends Options>(
  command: string,
  argv: string[],
  options: T,
): { values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>['values']; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values, positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InputError(`${command}: ${message} (see 'edgequant ${command} --help').`);
  }
}

export function printJson(io: CliIO, value: unknown): void {
  io.stdout(JSON.stringify(value, null, 2) + '\n');
}

/** Parses "1,224,224,3" into numbers; throws InputError naming the flag. */
export function parseShape(flag: string, text: string): number[] {
  const dims = text.split(/[,x ]/).filter(Boolean).map(Number);
  if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new InputError(`${flag} must be positive integers separated by commas, e.g. 1,224,224,3 (got '${text}').`);
  }
  return dims;
}

export function parsePositiveInt(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new InputError(`${flag} must be a positive integer (got '${text}').`);
  return n;
}
