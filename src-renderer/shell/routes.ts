// The navigation frame's pages, in menu order. Each page is one feature folder's component.
import type { Component } from 'svelte';
import ProjectsPage from '../features/projects/ProjectsPage.svelte';
import ModelsPage from '../features/models/ModelsPage.svelte';
import QuantizePage from '../features/quantize/QuantizePage.svelte';
import DevicesPage from '../features/devices/DevicesPage.svelte';
import HistoryPage from '../features/history/HistoryPage.svelte';
import DebugPage from '../features/debug/DebugPage.svelte';
import SearchPage from '../features/search/SearchPage.svelte';
import RunPage from '../features/runs/RunPage.svelte';
import GraphPage from '../features/graph/GraphPage.svelte';

export interface Route {
  id: string;
  title: string;
  /** One line under the title in the menu. */
  hint: string;
  page: Component;
  /** Reached by links only (a run's page), not listed in the menu. */
  hidden?: boolean;
}

export const routes: readonly Route[] = [
  { id: 'projects', title: 'Projects', hint: 'Folders that keep runs', page: ProjectsPage },
  { id: 'models', title: 'Models', hint: 'Open and inspect', page: ModelsPage },
  { id: 'quantize', title: 'Quantize', hint: 'Convert and validate', page: QuantizePage },
  { id: 'devices', title: 'Devices', hint: 'Boards over SSH/serial', page: DevicesPage },
  { id: 'history', title: 'History', hint: 'Past runs and results', page: HistoryPage },
  { id: 'debug', title: 'Debug', hint: 'Where accuracy is lost', page: DebugPage },
  { id: 'search', title: 'Search', hint: 'Smallest file within a budget', page: SearchPage },
  { id: 'runs', title: 'Run', hint: 'One run: results and files', page: RunPage, hidden: true },
  { id: 'graph', title: 'Graph', hint: 'A model as a graph', page: GraphPage, hidden: true },
];

/** The pages listed in the menu. */
export const menuRoutes = routes.filter((r) => !r.hidden);

/** The part of the hash after the page id: `#/runs/<id>` → `<id>`. */
export function hashArgument(hash: string): string {
  return decodeURIComponent(hash.replace(/^#\/?/, '').split('/').slice(1).join('/'));
}

export const runHref = (id: string) => `#/runs/${encodeURIComponent(id)}`;
/** The Graph view of a run (its source model beside its .tflite) or of any model file. */
export const graphHref = (target: { run: string } | { model: string }) =>
  'run' in target ? `#/graph/run/${encodeURIComponent(target.run)}` : `#/graph/model/${encodeURIComponent(target.model)}`;

/** The route named by the location hash (#/models), else the first one. */
export function routeFromHash(hash: string): Route {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return routes.find((r) => r.id === id) ?? routes[0]!;
}
