// `edgequant` entry: dispatches to cli/commands/*. Exit 0 ok, 1 failed operation, 2 bad usage
// or bad input; errors are one line on stderr.
import { commands } from './commands/index';
import type { CliIO } from './command';
import { EdgeQuantError, oneLine } from '../errors';
import { APP_VERSION } from '../version';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    `edgequant ${APP_VERSION}: convert, quantize, validate, deploy and benchmark TFLite models`,
    '',
    'Usage: edgequant <command> [options]   (edgequant <command> --help for details)',
    '',
    'Commands:',
    ...lines,
    '',
    'Exit codes: 0 success, 1 the operation failed, 2 bad usage or bad input.',
    '',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`${APP_VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`edgequant: unknown command '${name}'. Run 'edgequant --help' for the list.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.usage.endsWith('\n') ? command.usage : command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.stderr(`edgequant ${name}: ${oneLine(error)}\n`);
    if (error instanceof EdgeQuantError) return error.exitCode;
    if (io.env.EDGEQUANT_DEBUG && error instanceof Error) io.stderr(`${error.stack}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] !== undefined && /cli[\\/]main\.[jt]s$|out[\\/]main[\\/]cli\.js$/.test(process.argv[1]);
if (isEntry) {
  const io: CliIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`edgequant: ${oneLine(error)}\n`);
      process.exitCode = 1;
    },
  );
}
