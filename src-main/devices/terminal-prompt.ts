// Questions on the terminal for the CLI: secrets typed without echo, yes/no confirmations.
// Without a TTY nothing is asked (resolves undefined / false), so scripts fail fast instead of hanging.
import type { SecretPrompt } from './ssh/auth';
import type { ConfirmHostKey } from './ssh/host-keys';

function readLine(question: string, hidden: boolean): Promise<string | undefined> {
  const input = process.stdin;
  if (!input.isTTY) return Promise.resolve(undefined);
  process.stderr.write(question);
  return new Promise((resolve) => {
    let text = '';
    input.setRawMode(hidden);
    input.resume();
    input.setEncoding('utf8');
    const done = (value: string | undefined) => {
      input.removeListener('data', onData);
      input.setRawMode(false);
      input.pause();
      if (hidden) process.stderr.write('\n');
      resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(text);
        if (ch === '\u0003' || ch === '\u0004') return done(undefined); // Ctrl-C / Ctrl-D
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    input.on('data', onData);
  });
}

export const terminalSecretPrompt: SecretPrompt = (question) => readLine(question, true);

/** Host-key confirmation: `trust` accepts a new key after printing it; else asks on a TTY. */
export function terminalHostKeyConfirm(trust: boolean, log: (line: string) => void): ConfirmHostKey {
  return async (key) => {
    log(`Host key of ${key.hostId}: ${key.keyType} ${key.fingerprint}`);
    if (trust) {
      log('Trusted (--trust) and stored.');
      return true;
    }
    const answer = await readLine('Trust this host key? [y/N] ', false);
    return answer !== undefined && /^y(es)?$/i.test(answer.trim());
  };
}
