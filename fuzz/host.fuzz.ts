// Host fuzz: starts the real browser host (from source, its paths scoped to a tmp folder), sends
// N seeded malformed HTTP requests without the token and N malformed WebSocket messages with
// it, checks that the host serves its page and answers an API call after each batch, and prints
// one JSON line:
//   {"target":"host","tried":…,"clean":…,"crashes":…,"hangs":…,"untyped":…,"parts":{…}}
// Exit 1 on any crash (the host exited), hang (no answer, or no health answer after a batch) or
// untyped outcome (a 5xx, a raw JavaScript error in a reply, an INTERNAL error code, a close
// code other than 1003/1007/1009, or an internal-error line on the host's stderr).
//   node --import tsx fuzz/host.fuzz.ts [--iterations N] [--seed S]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type WebSocket from 'ws';
import { MAX_MESSAGE_BYTES } from '../src-main/host/server';
import { seededRandom } from '../src-main/seeded-random';
import { startSourceHost, type HostProcess } from '../test/helpers/host';
import { healthy, openApiSocket, sendFrame } from '../test/helpers/host-probe';
import { httpCase, wsCase, type HttpCase } from './host-cases';

type Verdict = 'clean' | 'crash' | 'hang' | 'untyped';
interface Tally {
  tried: number;
  clean: number;
  crashes: number;
  hangs: number;
  untyped: number;
  examples: string[];
}

const BATCH = 100;
const RAW_ERROR = /TypeError|URIError|RangeError|SyntaxError|ReferenceError|Cannot read propert|\n\s+at \S+ \(/;
const TYPED_CODES = new Set(['BAD_REQUEST', 'UNKNOWN_CHANNEL', 'FORBIDDEN', 'BAD_INPUT', 'UNSUPPORTED', 'FAILED', 'CANCELLED']);

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' } }, strict: true });
const iterations = Number(values.iterations);
const seed = Number(values.seed);
if (!Number.isInteger(iterations) || iterations < 1 || !Number.isInteger(seed)) {
  process.stderr.write('host.fuzz: --iterations must be a positive integer and --seed an integer.\n');
  process.exit(2);
}

/** One raw exchange: the reply (until the host closes), or a hang when the host keeps the socket past our hang-up. */
function exchange(port: number, c: HttpCase): Promise<{ text: string; hung: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    let timer: NodeJS.Timeout;
    const finish = (hung: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), hung });
    };
    // After a reply starts, or 2 s of waiting for more bytes, we hang up; the host must close within 5 s.
    const hangUp = () => {
      clearTimeout(timer);
      if (!socket.writableEnded) socket.end();
      timer = setTimeout(() => finish(true), 5_000);
    };
    socket.on('connect', () => {
      socket.write(c.bytes);
      if (c.hangUp) hangUp();
      else timer = setTimeout(hangUp, 2_000);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (chunks.length === 1) setTimeout(hangUp, 20);
    });
    socket.on('close', () => finish(false));
    socket.on('error', () => finish(false));
  });
}

function httpVerdict(reply: { text: string; hung: boolean }): Verdict {
  if (reply.hung) return 'hang';
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(reply.text);
  if (status && Number(status[1]) >= 500) return 'untyped';
  return RAW_ERROR.test(reply.text) ? 'untyped' : 'clean';
}

async function runPart(
  name: string,
  host: HostProcess,
  one: (i: number) => Promise<{ verdict: Verdict; note: string }>,
): Promise<Tally> {
  const tally: Tally = { tried: 0, clean: 0, crashes: 0, hangs: 0, untyped: 0, examples: [] };
  const note = (verdict: Verdict, text: string) => {
    if (verdict === 'clean') tally.clean++;
    else {
      if (verdict === 'crash') tally.crashes++;
      if (verdict === 'hang') tally.hangs++;
      if (verdict === 'untyped') tally.untyped++;
      if (tally.examples.length < 5) tally.examples.push(`${name}: ${verdict}: ${text.slice(0, 200)}`);
    }
  };
  for (let i = 0; i < iterations; i++) {
    const stderrBefore = host.stderr.join('').length;
    const { verdict, note: text } = await one(i);
    tally.tried++;
    const exited = host.child.exitCode !== null || host.child.signalCode !== null;
    const internal = host.stderr.join('').slice(stderrBefore);
    note(exited ? 'crash' : internal.includes('internal error') || internal.includes('edgequant host:') ? 'untyped' : verdict, exited || internal ? `${text} | ${internal}` : text);
    if (exited) break;
    if ((i + 1) % BATCH === 0 || i === iterations - 1) {
      if (!(await healthy(host.port, host.token))) {
        note('hang', `no health answer after case ${i}`);
        break;
      }
    }
  }
  return tally;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'eq-host-fuzz-'));
  const inside = join(work, 'root');
  mkdirSync(join(inside, 'data'), { recursive: true });
  mkdirSync(join(work, 'renderer'));
  writeFileSync(join(work, 'renderer', 'index.html'), '<!doctype html><title>fuzz</title><div id="app"></div>');
  writeFileSync(join(inside, 'x.h5'), 'not a model');
  const host = await startSourceHost(join(work, 'renderer'), { EDGEQUANT_HOME: join(work, 'home'), EDGEQUANT_ROOTS: inside, EDGEQUANT_OUTPUT_ROOTS: '' });
  try {
    const httpRng = seededRandom(seed);
    const http = await runPart('http', host, async () => {
      const c = httpCase(httpRng, host.port, httpRng() < 0.1 ? host.token : null);
      const reply = await exchange(host.port, c);
      return { verdict: httpVerdict(reply), note: `${JSON.stringify(c.bytes.toString('latin1').slice(0, 120))} → ${reply.text.slice(0, 80)}` };
    });

    const wsRng = seededRandom(seed ^ 0x5eed);
    let ws: WebSocket | null = null;
    const ws_ = await runPart('ws', host, async () => {
      const c = wsCase(wsRng, inside);
      try {
        ws ??= await openApiSocket(host.port, { token: host.token });
      } catch (error) {
        return { verdict: 'hang', note: `cannot open a socket: ${(error as Error).message}` };
      }
      const outcome = await sendFrame(ws, c.data, c.binary, 15_000);
      const sent = typeof c.data === 'string' ? c.data.slice(0, 120) : `<${c.data.length} bytes>`;
      if (outcome.kind === 'silent') return { verdict: 'hang', note: sent };
      if (outcome.kind === 'closed') {
        ws = null;
        // Over the size limit the host closes with 1009 while the client may still be writing: the
        // rest of the message then meets a reset connection and the client sees 1006 instead (seen
        // once in CI). Either way the host closed that one socket; whether it lives is checked below.
        const size = typeof c.data === 'string' ? Buffer.byteLength(c.data) : c.data.length;
        const typedClose = [1003, 1007, 1009].includes(outcome.code) || (outcome.code === 1006 && size > MAX_MESSAGE_BYTES);
        return { verdict: typedClose ? 'clean' : 'untyped', note: `${sent} → close ${outcome.code} ${outcome.reason}` };
      }
      const result = outcome.message.result;
      if (result?.ok === true) return { verdict: 'clean', note: sent };
      const code = String(result?.error?.code);
      const message = String(result?.error?.message);
      const typed = TYPED_CODES.has(code) && !RAW_ERROR.test(message) && !message.includes('\n');
      return { verdict: typed ? 'clean' : 'untyped', note: `${sent} → ${code}: ${message}` };
    });
    (ws as WebSocket | null)?.terminate();

    const parts = { http, ws: ws_ };
    const sum = (key: keyof Omit<Tally, 'examples'>) => http[key] + ws_[key];
    const line = { target: 'host', seed, tried: sum('tried'), clean: sum('clean'), crashes: sum('crashes'), hangs: sum('hangs'), untyped: sum('untyped') };
    for (const example of [...http.examples, ...ws_.examples]) process.stderr.write(`host.fuzz: ${example}\n`);
    const strip = ({ examples: _examples, ...t }: Tally) => t;
    process.stdout.write(`${JSON.stringify({ ...line, parts: { http: strip(parts.http), ws: strip(parts.ws) } })}\n`);
    process.exitCode = line.crashes + line.hangs + line.untyped > 0 ? 1 : 0;
  } finally {
    await host.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`host.fuzz: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
