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
    const args = joinDashValues(argv, options);
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values, positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InputError(`${command}: ${message} (see 'edgequant ${command} --help').`);
  }
}

/** `--preprocess -1..1` and `--output-shift -3`: a string option's value may start with '-';
 *  parseArgs would call it ambiguous, so such pairs become `--name=value`. */
function joinDashValues(argv: string[], options: Options): string[] {
  const known = new Set<string>();
  for (const [name, spec] of Object.entries(options)) {
    known.add(`--${name}`);
    if (spec.short) known.add(`-${spec.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const spec = arg.startsWith('--') ? options[arg.slice(2)] : undefined;
    if (spec?.type === 'string' && next !== undefined && next.startsWith('-') && !known.has(next) && next !== '--') {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
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

/** `value` when it is one of `allowed` (`fallback` when the flag is absent); throws InputError naming the flag and the choices. */
export function parseOneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new InputError(`${flag} must be one of ${allowed.join(', ')} (got '${value}').`);
  return value as T;
}

export function parsePositiveInt(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new InputError(`${flag} must be a positive integer (got '${text}').`);
  return n;
}
