// A small reader for ~/.ssh/config, enough to honour Host aliases: HostName, User, Port and
// IdentityFile, with Host patterns (*, ?, !negation). As in OpenSSH, the first value obtained
// for a keyword wins, so specific blocks must come before general ones.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface SshConfigEntry {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
}

interface Block {
  patterns: string[];
  settings: Array<[string, string]>;
}

function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [{ patterns: ['*'], settings: [] }];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = line.match(/^(\S+?)(?:\s*=\s*|\s+)(.+)$/);
    if (!m) continue;
    const keyword = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (keyword === 'host') {
      blocks.push({ patterns: splitArgs(value), settings: [] });
    } else if (keyword === 'match') {
      // Match blocks need runtime conditions we do not evaluate: skip their settings.
      blocks.push({ patterns: [], settings: [] });
    } else {
      blocks.at(-1)!.settings.push([keyword, unquote(value)]);
    }
  }
  return blocks;
}

function splitArgs(value: string): string[] {
  return (value.match(/"[^"]*"|\S+/g) ?? []).map(unquote);
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function blockMatches(patterns: string[], alias: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (globToRegExp(p.slice(1)).test(alias)) return false;
    } else if (globToRegExp(p).test(alias)) {
      matched = true;
    }
  }
  return matched;
}

function expandPath(path: string, alias: string, entry: SshConfigEntry, home: string): string {
  const expanded = path.replace(/%(.)/g, (all, c: string) => {
    if (c === 'd') return home;
    if (c === 'h') return entry.hostName ?? alias;
    if (c === 'n') return alias;
    if (c === 'u' || c === 'r') return entry.user ?? '';
    if (c === '%') return '%';
    return all;
  });
  return expanded.startsWith('~/') ? join(home, expanded.slice(2)) : expanded;
}

/** Settings that apply to `alias`, from config text. */
export function resolveSshConfig(text: string, alias: string, home: string = homedir()): SshConfigEntry {
  const entry: SshConfigEntry = { identityFiles: [] };
  const rawIdentities: string[] = [];
  for (const block of parseBlocks(text)) {
    if (!blockMatches(block.patterns, alias)) continue;
    for (const [keyword, value] of block.settings) {
      if (keyword === 'hostname' && entry.hostName === undefined) entry.hostName = value;
      else if (keyword === 'user' && entry.user === undefined) entry.user = value;
      else if (keyword === 'port' && entry.port === undefined && /^\d+$/.test(value)) entry.port = Number(value);
      else if (keyword === 'identityfile') rawIdentities.push(value);
    }
  }
  if (entry.hostName) entry.hostName = entry.hostName.replace(/%h/g, alias);
  entry.identityFiles = rawIdentities.map((p) => expandPath(p, alias, entry, home));
  return entry;
}

/** The concrete Host aliases of a config (patterns with *, ? or ! are not hosts one can pick). */
export function listSshConfigHosts(text: string): string[] {
  const hosts: string[] = [];
  for (const block of parseBlocks(text).slice(1)) {
    for (const p of block.patterns) if (!/[*?!]/.test(p) && !hosts.includes(p)) hosts.push(p);
  }
  return hosts;
}

/** Path of the user's ssh config: $EDGEQUANT_SSH_CONFIG (tests), else ~/.ssh/config. */
export function sshConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.EDGEQUANT_SSH_CONFIG ?? join(env.HOME ?? homedir(), '.ssh', 'config');
}

export function readSshConfig(alias: string, path: string = sshConfigPath(), home: string = homedir()): SshConfigEntry {
  if (!existsSync(path)) return { identityFiles: [] };
  return resolveSshConfig(readFileSync(path, 'utf8'), alias, home);
}
