// The board each project last benchmarked on, so a run page can offer "Deploy & benchmark on
// <that board>" in one click. Kept in the device store (app state), keyed by the project's path.
import { resolve } from 'node:path';
import { DeviceStore } from './store';

export function rememberLastBoard(project: string, device: string, store: DeviceStore = new DeviceStore()): void {
  store.rememberLastBoard(resolve(project), device);
}

/** The last board of the project, if it is still a known board ('local' always is). */
export function lastBoardOf(project: string, store: DeviceStore = new DeviceStore()): string | null {
  const name = store.lastBoard(resolve(project));
  if (name === undefined) return null;
  return name === 'local' || store.getDevice(name) ? name : null;
}
