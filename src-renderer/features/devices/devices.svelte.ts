// Devices page state: the boards, discovery (boards this computer sees now), and adding one in
// one step: SSH with its host key shown and explicitly trusted, then a first login by password
// (a key is made and installed on the board) or an existing key file; serial from the ports
// discovery lists. Errors stay next to the form or row they belong to.
import { humanError } from '../../lib/human-error';
import { api } from '../../lib/api';
import type { DeviceProbe, DeviceSummary, DiscoveryCandidate, DiscoveryResult } from '../../../src-main/devices/index';

const message = humanError;
/** The serial picker's entry for typing a path by hand. */
export const OTHER_PORT = '__other__';

export class DevicesState {
  devices = $state<DeviceSummary[]>([]);
  probes = $state<Record<string, DeviceProbe | { error: string } | 'probing'>>({});
  /** Errors of the table (list, remove); the form has its own. */
  error = $state<string | null>(null);
  formError = $state<string | null>(null);
  added = $state<string | null>(null);
  discovery = $state<DiscoveryResult | null>(null);
  discovering = $state(false);
  discoverError = $state<string | null>(null);
  kind = $state<'ssh' | 'serial'>('ssh');
  name = $state('');
  ssh = $state('');
  auth = $state<'password' | 'key'>('password');
  password = $state('');
  keyFile = $state('');
  serialChoice = $state('');
  serialPath = $state('');
  baudRate = $state(115200);
  /** The host key shown for the current address, and whether the user said they trust it. */
  fingerprint = $state<string | null>(null);
  scannedFor = $state('');
  trusted = $state(false);
  confirmingRemove = $state<string | null>(null);
  busy = $state(false);

  serialPorts = $derived((this.discovery?.candidates ?? []).filter((c) => c.kind === 'serial'));
  sshCandidates = $derived((this.discovery?.candidates ?? []).filter((c) => c.kind === 'ssh'));
  /** The serial path to add: the picked port, or the typed one when "Other" is picked or nothing was found. */
  serialTarget = $derived(this.serialChoice && this.serialChoice !== OTHER_PORT ? this.serialChoice : this.serialPath.trim());

  /** Why "Add board" cannot be pressed yet (null: it can). Shown next to the button. */
  disabledReason = $derived.by((): string | null => {
    if (this.busy) return 'Working…';
    if (!this.name.trim()) return 'Give the board a name.';
    if (this.kind === 'serial') return this.serialTarget ? null : 'Pick a serial port (or type its path).';
    if (!this.ssh.trim()) return 'Enter the board\'s address, or pick one found above.';
    if (!this.fingerprint || this.scannedFor !== this.ssh.trim()) return 'Check the board\'s host key first (the button above).';
    if (!this.trusted) return 'Confirm that you trust this host key.';
    if (this.auth === 'password' && !this.password) return 'Enter the board\'s password (used once to install a key).';
    return null;
  });

  async load(): Promise<void> {
    try {
      this.devices = await api.devices.list();
    } catch (error) {
      this.error = message(error);
    }
  }

  async discover(): Promise<void> {
    this.discovering = true;
    this.discoverError = null;
    try {
      this.discovery = await api.devices.discover({});
      if (!this.serialChoice && this.serialPorts[0]) this.serialChoice = this.serialPorts[0].path;
    } catch (error) {
      this.discoverError = message(error);
    } finally {
      this.discovering = false;
    }
  }

  /** Fills the form from a discovered board; the user still checks and trusts its key. */
  use(candidate: DiscoveryCandidate): void {
    this.formError = null;
    this.added = null;
    if (candidate.kind === 'serial') {
      this.kind = 'serial';
      this.serialChoice = candidate.path;
      if (!this.name.trim()) this.name = 'serial-board';
      return;
    }
    this.kind = 'ssh';
    this.ssh = candidate.user && candidate.source !== 'ssh-config' ? `${candidate.user}@${candidate.ssh}` : candidate.ssh;
    if (!this.name.trim()) this.name = suggestName(candidate.label);
    this.fingerprint = null;
    this.trusted = false;
  }

  /** SSH step 1: show the board's host key fingerprint so the user can confirm it. */
  async scan(): Promise<void> {
    const address = this.ssh.trim();
    await this.#form(async () => {
      this.fingerprint = null;
      this.trusted = false;
      this.fingerprint = (await api.devices.scanHostKey({ ssh: address })).fingerprint;
      this.scannedFor = address;
    });
  }

  async add(): Promise<void> {
    if (this.disabledReason) {
      this.formError = this.disabledReason;
      return;
    }
    const name = this.name.trim();
    await this.#form(async () => {
      if (this.kind === 'ssh') {
        const ssh = this.ssh.trim();
        if (this.auth === 'password') await api.devices.addWithPassword({ name, ssh, password: this.password, trustFingerprint: this.fingerprint! });
        else await api.devices.addSsh({ name, ssh, trustFingerprint: this.fingerprint!, ...(this.keyFile.trim() ? { keyFile: this.keyFile.trim() } : {}) });
      } else {
        await api.devices.addSerial({ name, path: this.serialTarget, baudRate: this.baudRate });
      }
      this.added = name;
      this.fingerprint = null;
      this.trusted = false;
      this.name = '';
      await this.load();
    });
    // The password is for the first login only; never kept in the page either.
    this.password = '';
  }

  async probe(name: string): Promise<void> {
    this.probes = { ...this.probes, [name]: 'probing' };
    try {
      const result = await api.devices.probe({ name });
      this.probes = { ...this.probes, [name]: result };
    } catch (error) {
      this.probes = { ...this.probes, [name]: { error: message(error) } };
    }
  }

  /** Remove asks first: the first call only asks, confirmRemove() removes. */
  askRemove(name: string): void {
    this.confirmingRemove = name;
  }

  async confirmRemove(): Promise<void> {
    const name = this.confirmingRemove;
    if (!name) return;
    this.busy = true;
    this.error = null;
    try {
      await api.devices.remove({ name });
      await this.load();
    } catch (error) {
      this.error = message(error);
    } finally {
      this.confirmingRemove = null;
      this.busy = false;
    }
  }

  async #form(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.formError = null;
    this.added = null;
    try {
      await work();
    } catch (error) {
      this.formError = message(error);
    } finally {
      this.busy = false;
    }
  }
}

/** "raspberrypi.local (10.0.0.5)" → "raspberrypi"; a board name the store accepts. */
export function suggestName(label: string): string {
  const base = label.split(/[\s(]/)[0]!.replace(/\.local$/, '').replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (base || 'board').slice(0, 40);
}
