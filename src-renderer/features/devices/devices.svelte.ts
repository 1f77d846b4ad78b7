// Devices page state: the boards (from the device layer), adding one over SSH (host key shown
// and confirmed first) or serial, probing, removing.
import { humanError } from '../../lib/human-error';
import { api } from '../../lib/api';
import type { DeviceProbe, DeviceSummary } from '../../../src-main/devices/index';

const message = humanError;

export class DevicesState {
  devices = $state<DeviceSummary[]>([]);
  probes = $state<Record<string, DeviceProbe | { error: string } | 'probing'>>({});
  error = $state<string | null>(null);
  kind = $state<'ssh' | 'serial'>('ssh');
  name = $state('');
  ssh = $state('');
  keyFile = $state('');
  serialPath = $state('');
  baudRate = $state(115200);
  fingerprint = $state<string | null>(null);
  busy = $state(false);

  async load(): Promise<void> {
    try {
      this.devices = await api.devices.list();
    } catch (error) {
      this.error = message(error);
    }
  }

  /** SSH step 1: show the board's host key fingerprint so the user can confirm it. */
  async scan(): Promise<void> {
    await this.#busy(async () => {
      this.fingerprint = (await api.devices.scanHostKey({ ssh: this.ssh.trim() })).fingerprint;
    });
  }

  async add(): Promise<void> {
    await this.#busy(async () => {
      if (this.kind === 'ssh') {
        if (!this.fingerprint) throw new Error('Check the host key first.');
        await api.devices.addSsh({ name: this.name.trim(), ssh: this.ssh.trim(), trustFingerprint: this.fingerprint, ...(this.keyFile.trim() ? { keyFile: this.keyFile.trim() } : {}) });
      } else {
        await api.devices.addSerial({ name: this.name.trim(), path: this.serialPath.trim(), baudRate: this.baudRate });
      }
      this.fingerprint = null;
      this.name = '';
      await this.load();
    });
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

  async remove(name: string): Promise<void> {
    await this.#busy(async () => {
      await api.devices.remove({ name });
      await this.load();
    });
  }

  async #busy(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await work();
    } catch (error) {
      this.error = message(error);
    } finally {
      this.busy = false;
    }
  }
}
