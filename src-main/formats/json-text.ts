// JSON model files (Keras configs, TF.js model.json): a parse error becomes one typed line that
// names the file and where it broke, instead of the engine's message with a raw snippet of it.
import type { EdgeQuantError } from '../errors';

type ErrorClass = new (message: string) => EdgeQuantError;

/** Where and why JSON.parse stopped, in words (V8 gives a position or the offending token). */
function jsonProblem(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const at = /at position (\d+)/.exec(message);
  if (at) {
    const offset = Number(at[1]);
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    return `broken at line ${line}, column ${offset - before.lastIndexOf('\n')}`;
  }
  const token = /Unexpected token '(.)'/.exec(message);
  if (token) return `unexpected character ${JSON.stringify(token[1])}`;
  if (/end of JSON input|Unterminated/i.test(message)) return 'it ends early (truncated)';
  return 'malformed';
}

export function parseJsonFile(text: string, label: string, ErrorType: ErrorClass): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ErrorType(`${label}: not valid JSON (${jsonProblem(text, error)}); the file is damaged or not a model file, export it again.`);
  }
}
