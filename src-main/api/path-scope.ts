// What paths the API may touch, checked at the API boundary (dispatch.ts) once the payload has
// been validated. Reads stay under the read roots (by default the user's home; EDGEQUANT_ROOTS
// overrides) or inside a known project; writes go only inside a known project folder (one the
// user created or opened: the recent-projects list) or an output root (EDGEQUANT_OUTPUT_ROOTS);
// a project is created only in an existing folder under the roots (no folder trees). Paths are
// compared after resolving symlinks, so a link inside a root cannot reach outside it. Serial
// devices must be device files. SSH goes only to boards in the device store (by name) or one
// the user adds (devices.scanHostKey / devices.addSsh with the fingerprint they were shown).
import { resolveUserPath } from '../projects/user-path';
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { ApiChannel, JobStartRequest } from './contract';

export interface PathScope {
  /** null when the request may proceed, else why not (one line). */
  check(channel: ApiChannel, request: unknown): string | null;
}

export interface PathScopeOptions {
  readRoots: string[];
  outputRoots?: string[];
  /** Project folders the user created or opened (read fresh on each check). */
  projects: () => string[];
  platform?: NodeJS.Platform;
}

/** The path with every existing part's symlinks resolved (the missing tail kept as written). */
export function realPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync.native(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(realPath(parent), basename(absolute));
  }
}

function within(path: string, root: string): boolean {
  const r = realPath(root);
  return path === r || path.startsWith(r.endsWith(sep) ? r : r + sep);
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(delimiter).filter((p) => p !== '' && isAbsolute(p));
}

/** Roots from the environment: EDGEQUANT_ROOTS (default: the home folder, and EDGEQUANT_HOME). */
export function scopeRootsFromEnv(env: NodeJS.ProcessEnv = process.env): { readRoots: string[]; outputRoots: string[] } {
  const configured = list(env.EDGEQUANT_ROOTS);
  const readRoots = configured.length > 0 ? configured : [env.HOME ?? homedir()];
  if (env.EDGEQUANT_HOME) readRoots.push(env.EDGEQUANT_HOME);
  return { readRoots, outputRoots: list(env.EDGEQUANT_OUTPUT_ROOTS) };
}

type Rule = { read?: (string | undefined)[]; write?: (string | undefined)[]; create?: string; project?: string; serial?: string };

function jobRule({ kind, params }: JobStartRequest): Rule {
  switch (kind) {
    case 'inspect':
      return { read: [params.path, ...(params.companions ?? [])] };
    case 'convert':
      return convertRule(params);
    case 'project-convert': {
      const rule = convertRule(params.request);
      return { ...rule, project: params.project, read: [...(rule.read ?? []), params.evaluateData, params.evaluateLabels, params.detect?.labels, params.detect?.classes] };
    }
    case 'project-bench':
      return { project: params.project };
    case 'project-debug':
      return { project: params.project, read: [params.data] };
    case 'project-search':
      // Relative paths are the project's own files; the job resolves them against the project.
      return { project: params.project, read: [params.model, params.calibration.path, params.data, params.labels].map((p) => (p === undefined ? p : resolve(params.project, p))) };
  }
}

function convertRule(request: Extract<JobStartRequest, { kind: 'convert' }>['params']): Rule {
  return { read: [request.model, ...(request.companions ?? []), request.quantize.calibration?.path, request.quantize.recipe], write: [request.output] };
}

/** The paths of each channel's request, by what the handler does with them. */
function rule(channel: ApiChannel, request: unknown): Rule {
  // Shapes already checked by the channel's schema; only the path fields are read here.
  const r = request as { path?: string; companions?: string[]; dir?: string; keyFile?: string };
  switch (channel) {
    case 'models.inspect':
    case 'models.graph':
      return { read: [r.path, ...((r.companions) ?? [])] };
    case 'calibration.preview':
      return { read: [r.path] };
    // The handlers take a typed folder from the user's home ('~', relative): check that folder.
    case 'projects.create':
      return { create: r.dir === undefined ? undefined : resolveUserPath(r.dir) };
    case 'projects.open':
    case 'files.browse':
      return { read: [r.dir === undefined ? undefined : resolveUserPath(r.dir)] };
    case 'projects.runs':
    case 'projects.run':
      return { read: [r.dir] };
    case 'projects.addModel':
    case 'projects.addCalibration':
      return { project: r.dir, read: [r.path] };
    case 'devices.addSsh':
      return { read: [r.keyFile] };
    case 'devices.addSerial':
      return { serial: r.path };
    case 'devices.lastBoard':
      return { read: [(request as { project?: string }).project] };
    case 'jobs.start':
      return jobRule(request as JobStartRequest);
    default:
      return {};
  }
}

export function createPathScope({ readRoots, outputRoots = [], projects, platform = process.platform }: PathScopeOptions): PathScope {
  const known = () => projects();
  const readable = (path: string) => [...readRoots, ...known()].some((root) => within(path, root));
  const writable = (path: string) => [...known(), ...outputRoots].some((root) => within(path, root));
  const rootsText = () => readRoots.join(', ');
  return {
    check(channel, request) {
      const { read = [], write = [], create, project, serial } = rule(channel, request);
      for (const path of read) {
        if (path === undefined) continue;
        const real = realPath(path);
        if (!readable(real)) return `${channel}: ${path} is outside the folders this app may read (${rootsText()}); set EDGEQUANT_ROOTS to allow more.`;
      }
      if (project !== undefined) {
        const real = realPath(project);
        if (!readable(real)) return `${channel}: project ${project} is outside the folders this app may read (${rootsText()}); set EDGEQUANT_ROOTS to allow more.`;
      }
      for (const path of write) {
        if (path === undefined) continue;
        // A project's own outputs (runs/…) may live in any known project; other writes need an output root.
        if (!writable(realPath(path))) return `${channel}: ${path} is not inside a project folder this app opened; write into the project (or set EDGEQUANT_OUTPUT_ROOTS).`;
      }
      if (create !== undefined) {
        const real = realPath(create);
        if (!readRoots.some((root) => within(real, root))) return `${channel}: ${create} is outside the folders this app may use (${rootsText()}); set EDGEQUANT_ROOTS to allow more.`;
        if (!exists(dirname(real))) return `${channel}: the folder ${dirname(create)} does not exist; create projects in an existing folder.`;
      }
      if (serial !== undefined && !isDeviceFile(serial, platform)) return `${channel}: ${serial} is not a serial device (/dev/tty…, COMn); pick one from the list of ports.`;
      return null;
    },
  };
}

function exists(path: string): boolean {
  try {
    realpathSync.native(path);
    return true;
  } catch {
    return false;
  }
}

function isDeviceFile(path: string, platform: NodeJS.Platform): boolean {
  if (platform === 'win32') return /^(\\\\\.\\)?COM\d{1,3}$/i.test(path);
  // After symlinks: /dev/serial/by-id/… names qualify, a link from elsewhere into /etc does not.
  return realPath(path).startsWith('/dev/');
}
