// Discovery source: the Host aliases of ~/.ssh/config, each resolved (HostName, User, Port)
// and checked with one TCP connect, so the list says which boards answer right now.
import { existsSync, readFileSync } from 'node:fs';
import { listSshConfigHosts, resolveSshConfig } from '../ssh/config-file';
import { tcpReachable } from './reach';
import type { SshCandidate } from './types';

export async function sshConfigCandidates(configPath: string, home: string, reachTimeoutMs: number): Promise<SshCandidate[]> {
  if (!existsSync(configPath)) return [];
  const text = readFileSync(configPath, 'utf8');
  return Promise.all(
    listSshConfigHosts(text).map(async (alias): Promise<SshCandidate> => {
      const entry = resolveSshConfig(text, alias, home);
      const host = entry.hostName ?? alias;
      const port = entry.port ?? 22;
      const reachable = await tcpReachable(host, port, reachTimeoutMs);
      return {
        kind: 'ssh',
        source: 'ssh-config',
        label: alias,
        ssh: alias,
        host,
        port,
        ...(entry.user ? { user: entry.user } : {}),
        detail: `~/.ssh/config: ${entry.user ? `${entry.user}@` : ''}${host}:${port}${reachable ? '' : ' (no answer now)'}`,
        reachable,
      };
    }),
  );
}
