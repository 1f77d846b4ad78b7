// What discovery hands to the Devices page and the CLI: candidates a user can turn into a board
// in one step, and per source what it found or why it found nothing.

export type DiscoverySourceName = 'serial' | 'mdns' | 'usb-net' | 'ssh-config';

export interface SshCandidate {
  kind: 'ssh';
  source: Exclude<DiscoverySourceName, 'serial'>;
  /** What the user recognises: "raspberrypi.local (192.168.1.20)", "pi4 (~/.ssh/config)". */
  label: string;
  /** The address to add it with ("[USER@]HOST[:PORT]" or a ~/.ssh/config alias). */
  ssh: string;
  host: string;
  port: number;
  user?: string;
  /** One line about where it was seen. */
  detail: string;
  /** A TCP connection to host:port was accepted during discovery (undefined: not tried). */
  reachable?: boolean;
}

export interface SerialCandidate {
  kind: 'serial';
  source: 'serial';
  label: string;
  path: string;
  vendorId?: string;
  productId?: string;
  usb: boolean;
  detail: string;
}

export type DiscoveryCandidate = SshCandidate | SerialCandidate;

export interface SourceReport {
  source: DiscoverySourceName;
  found: number;
  ms: number;
  /** Why this source found nothing or only part (one line); absent when it simply worked. */
  note?: string;
}

export interface DiscoveryResult {
  candidates: DiscoveryCandidate[];
  sources: SourceReport[];
  ms: number;
}
