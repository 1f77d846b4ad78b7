// SSH authentication order: the key file (asking its passphrase when encrypted), then the
// ssh-agent, then a password. Secrets are only held in memory, or handed to an injected
// SecretStore (the app wires Electron safeStorage there); the CLI asks on the terminal.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type AnyAuthMethod, type AuthHandlerMiddleware, type ParsedKey } from 'ssh2';
import { DeviceInputError } from '../errors';

/** Asks the user for a secret; resolves undefined when nobody can answer (no TTY, no UI). */
export type SecretPrompt = (question: string) => Promise<string | undefined>;

/** Encrypted storage of secrets by key (the app: Electron safeStorage). Never plain text. */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, secret: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface AuthContext {
  user: string;
  /** user@host:port, for prompts and the password's secret-store key. */
  target: string;
  keyFiles: string[];
  /** True when the key file was named by the user (missing → error, not skipped). */
  keyFileExplicit: boolean;
  agentSocket?: string;
  prompt?: SecretPrompt;
  secretStore?: SecretStore;
}

export interface AuthPlan {
  handler: AuthHandlerMiddleware;
  /** What was tried, for the error message when all fail. */
  tried: string[];
  /** A typed error raised while preparing a method (unreadable key, wrong passphrase). */
  readonly failure: unknown;
  /** Called after a successful login: keeps a typed password in the secret store. */
  onSuccess(): Promise<void>;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export function defaultKeyFiles(home: string = homedir()): string[] {
  return DEFAULT_KEYS.map((k) => join(home, '.ssh', k)).filter((p) => existsSync(p));
}

async function loadKey(path: string, ctx: AuthContext, skipped: string[]): Promise<ParsedKey | undefined> {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (error) {
    if (ctx.keyFileExplicit) throw new DeviceInputError(`cannot read key file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    return undefined;
  }
  let parsed = ssh2.utils.parseKey(data);
  if (parsed instanceof Error && /passphrase|encrypted/i.test(parsed.message)) {
    const passphrase = ctx.prompt ? await ctx.prompt(`Passphrase for ${path}: `) : undefined;
    if (passphrase === undefined) {
      skipped.push(`key ${path} (encrypted, no terminal to ask its passphrase)`);
      return undefined;
    }
    parsed = ssh2.utils.parseKey(data, passphrase);
    if (parsed instanceof Error) throw new DeviceInputError(`wrong passphrase for key file ${path}.`);
  }
  if (parsed instanceof Error) throw new DeviceInputError(`key file ${path} is not a private key ssh2 can read (${parsed.message}).`);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key as ParsedKey;
}

export function planAuth(ctx: AuthContext): AuthPlan {
  const tried: string[] = [];
  const secretKey = `ssh-password:${ctx.target}`;
  let typedPassword: string | undefined;
  const steps: Array<() => Promise<AnyAuthMethod | undefined>> = [];
  for (const file of ctx.keyFiles) {
    steps.push(async () => {
      const key = await loadKey(file, ctx, tried);
      if (!key) return undefined;
      tried.push(`key ${file}`);
      return { type: 'publickey', username: ctx.user, key };
    });
  }
  if (ctx.agentSocket) {
    steps.push(async () => {
      tried.push('ssh-agent');
      return { type: 'agent', username: ctx.user, agent: ctx.agentSocket! };
    });
  }
  steps.push(async () => {
    const stored = ctx.secretStore ? await ctx.secretStore.get(secretKey) : undefined;
    if (stored !== undefined) {
      tried.push('stored password');
      return { type: 'password', username: ctx.user, password: stored };
    }
    return undefined;
  });
  steps.push(async () => {
    const password = ctx.prompt ? await ctx.prompt(`Password for ${ctx.target}: `) : undefined;
    if (password === undefined) return undefined;
    typedPassword = password;
    tried.push('password');
    return { type: 'password', username: ctx.user, password };
  });

  let index = 0;
  let failure: unknown;
  const handler: AuthHandlerMiddleware = (_methodsLeft, _partial, next) => {
    const advance = async (): Promise<void> => {
      while (index < steps.length) {
        const method = await steps[index++]!();
        if (method) return next(method);
      }
      next(false as unknown as AnyAuthMethod);
    };
    advance().catch((error: unknown) => {
      failure = error;
      next(false as unknown as AnyAuthMethod);
    });
  };
  return {
    handler,
    tried,
    get failure() {
      return failure;
    },
    async onSuccess() {
      if (typedPassword !== undefined && ctx.secretStore) await ctx.secretStore.set(secretKey, typedPassword);
    },
  };
}
