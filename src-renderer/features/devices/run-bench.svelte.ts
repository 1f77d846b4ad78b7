// "Deploy & benchmark" from a run: the board the project last benchmarked on is offered first
// (remembered main-side per project), any other board or this computer can be picked, and the
// job's live log is followed.
import { humanError } from '../../lib/human-error';
import { api } from '../../lib/api';
import { JobState } from '../projects/job.svelte';
import type { RunRecord } from '../../../src-main/projects/types';

export class RunBenchState {
  boards = $state<string[]>(['local']);
  board = $state('local');
  lastBoard = $state<string | null>(null);
  runs = $state(50);
  error = $state<string | null>(null);
  job = new JobState<RunRecord>();

  async load(project: string): Promise<void> {
    try {
      const [list, last] = await Promise.all([api.devices.list(), api.devices.lastBoard({ project })]);
      this.boards = ['local', ...list.map((d) => d.name)];
      this.lastBoard = last.name;
      this.board = last.name ?? 'local';
    } catch (error) {
      this.error = `Board list unavailable: ${humanError(error)}`;
    }
  }

  async start(project: string, runId: string, onDone: (record: RunRecord) => void): Promise<void> {
    this.error = null;
    const board = this.board;
    await this.job.start({ kind: 'project-bench', params: { project, runId, device: board, runs: this.runs } }, (record) => {
      this.lastBoard = board;
      onDone(record);
    });
  }
}
