// `npm start` without the Electron binary: serves the app on 127.0.0.1 and prints one line,
// `EdgeQuant Studio: http://127.0.0.1:<port>/?token=<token>`. `--open` also opens a browser.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApiServices } from '../app/services';
import { createPathScope, scopeRootsFromEnv } from '../api/path-scope';
import { readRecent } from '../projects/recent';
import { oneLine } from '../errors';
import { startHost } from './server';
import { openBrowser } from './open-browser';
import { keepHostAlive } from './last-resort';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { open: { type: 'boolean', default: false }, port: { type: 'string' }, renderer: { type: 'string' } },
    strict: true,
  });
  // Built layout: out/main/host.js serves out/renderer/.
  const rendererDir = values.renderer ?? fileURLToPath(new URL('../renderer', import.meta.url));
  if (!existsSync(rendererDir)) throw new Error(`The built UI is missing at ${rendererDir}; run 'npm run build' first.`);
  keepHostAlive();
  const onInternalError = (error: unknown) => process.stderr.write(`edgequant host: ${error instanceof Error ? error.stack : String(error)}\n`);
  // Any local process that gets the token is limited to these paths (README: Security of the browser host).
  const scope = createPathScope({ ...scopeRootsFromEnv(), projects: () => readRecent().map((p) => p.dir) });
  const services = createApiServices({ host: 'browser', onInternalError, scope });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number 0..65535 (got '${values.port}').`);
  const host = await startHost({ rendererDir, services, port, onInternalError });
  process.stdout.write(`EdgeQuant Studio: ${host.url}\n`);
  if (values.open) openBrowser(host.url, spawn);

  const stop = () => {
    // A job that ignores cancellation must not keep the host alive after a stop signal.
    setTimeout(() => process.exit(0), 5_000).unref();
    void Promise.all([host.close(), services.dispose()]).finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`edgequant host: ${oneLine(error)}\n`);
  process.exit(1);
});
