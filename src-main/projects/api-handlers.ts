// Handlers for the project channels: thin mappings onto the project store.
import { edgequantHome } from '../devices/home';
import type { ProjectApiRequests, ProjectView } from './api-contract';
import { previewCalibration } from './calibration-preview';
import { ensureDemoProject, isDemoProjectDir } from './demo';
import { createDeviceHandlers } from './device-api';
import { readDebugReport } from './debug-report';
import { addCalibrationSet, addModel, initProject, openProject } from './project';
import { forgetProject, readRecent, rememberProject } from './recent';
import { resolveUserPath } from './user-path';
import { readArtifact } from './artifact';
import { listRuns, readRun } from './runs';

type ProjectHandlers = { [C in keyof ProjectApiRequests]: (request: ProjectApiRequests[C]['request']) => Promise<ProjectApiRequests[C]['response']> };

export function createProjectHandlers(home: () => string = () => edgequantHome()): ProjectHandlers {
  const view = (dir: string): ProjectView => {
    const opened = openProject(dir);
    rememberProject(opened.dir, opened.manifest.name, home());
    return { dir: opened.dir, manifest: opened.manifest, runs: listRuns(opened.dir), recovered: opened.recovered.map((r) => r.id) };
  };
  return {
    'projects.recent': async () => readRecent(home()),
    'projects.create': async ({ dir, name }) => {
      const folder = resolveUserPath(dir);
      initProject(folder, name);
      return view(folder);
    },
    'projects.open': async ({ dir }) => {
      const folder = resolveUserPath(dir);
      // The demo opened from Recent is completed like the demo button's (an old one lacks digits/).
      return view(isDemoProjectDir(folder, home()) ? await ensureDemoProject(home()) : folder);
    },
    'projects.forget': async ({ dir }) => forgetProject(dir, home()),
    'projects.demo': async () => view(await ensureDemoProject(home())),
    'projects.runs': async ({ dir }) => listRuns(dir),
    'projects.run': async ({ dir, id }) => readRun(dir, id),
    'projects.artifact': async ({ dir, id, name }) => readArtifact(dir, id, name),
    'projects.addModel': async ({ dir, path, format }) => addModel(dir, path, format),
    'projects.addCalibration': async ({ dir, path, preprocess }) => addCalibrationSet(dir, path, preprocess),
    'calibration.preview': async ({ path, preprocess, shape }) => previewCalibration(path, preprocess, shape),
    'projects.debugReport': async ({ dir, id }) => readDebugReport(dir, id),
    ...createDeviceHandlers(),
  };
}
