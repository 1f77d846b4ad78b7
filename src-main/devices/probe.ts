// Probe: what a board is and what it can run. One POSIX shell script for the system facts
// (works without Python), then the runner's `probe` for Python and the TFLite runtimes.
import type { BoardTransport } from './transport';
import { callRunner, ensureRunner } from './runner';
import { run } from './remote';

export interface RuntimeAvailability {
  name: 'ai_edge_litert' | 'tflite_runtime' | 'tensorflow' | 'tflite-c';
  version: string | null;
  /** Library path, for tflite-c. */
  path?: string;
  /** False when the package is there but numpy is missing. */
  usable: boolean;
}

export interface DeviceProbe {
  arch: string;
  kernel: string;
  os: string | null;
  cpuModel: string | null;
  cores: number;
  ramMb: number | null;
  /** Free space in the board's home directory. */
  diskFreeMb: number | null;
  python: string | null;
  numpy: boolean;
  runtimes: RuntimeAvailability[];
  /** Best runtime the runner would use, or null. */
  bestRuntime: RuntimeAvailability['name'] | null;
  benchmarkModel: string | null;
  governor: string | null;
  /** CPU0 clock now and at most (MHz), from cpufreq; a low current clock under load hints at throttling. */
  cpuFreqMhz: { current: number | null; max: number | null };
  temperatureC: number | null;
  /** `vcgencmd get_throttled` (Raspberry Pi), e.g. "0x0"; null elsewhere. */
  throttled: string | null;
}

const SYSTEM_SCRIPT = [
  `echo "arch=$(uname -m)"`,
  `echo "kernel=$(uname -sr)"`,
  `[ -r /etc/os-release ] && echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"`,
  // x86 and most ARM kernels: "model name"; else lscpu; Pi/older ARM: "Model" / "Hardware".
  `echo "cpu=$( (grep -m1 -E '^(model name|cpu model)' /proc/cpuinfo || lscpu 2>/dev/null | grep -m1 '^Model name' || grep -m1 -E '^(Model|Hardware)' /proc/cpuinfo) 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"`,
  `echo "cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null)"`,
  `echo "memkb=$(grep -m1 MemTotal /proc/meminfo 2>/dev/null | tr -s ' ' | cut -d' ' -f2)"`,
  `echo "diskkb=$(df -Pk "$HOME" 2>/dev/null | tail -n1 | tr -s ' ' | cut -d' ' -f4)"`,
  `echo "python=$(python3 -c 'import platform;print(platform.python_version())' 2>/dev/null)"`,
  `echo "benchmark_model=$(command -v benchmark_model 2>/dev/null || ls "$HOME/.edgequant/bin/benchmark_model" 2>/dev/null)"`,
  `echo "governor=$(cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor 2>/dev/null)"`,
  `echo "freqcur=$(cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq 2>/dev/null)"`,
  `echo "freqmax=$(cat /sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq 2>/dev/null)"`,
  `echo "temp=$(cat /sys/class/thermal/thermal_zone*/temp 2>/dev/null | sort -n | tail -n1)"`,
  `echo "throttled=$(vcgencmd get_throttled 2>/dev/null | cut -d= -f2)"`,
].join('; ');

function parseFacts(text: string): Map<string, string> {
  const facts = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) facts.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return facts;
}

const numberOrNull = (text: string | undefined): number | null => (text && /^\d+$/.test(text) ? Number(text) : null);
const textOrNull = (text: string | undefined): string | null => (text ? text : null);

const khzToMhz = (text: string | undefined): number | null => {
  const khz = numberOrNull(text);
  return khz === null ? null : Math.round(khz / 1000);
};

const RUNTIME_ORDER: RuntimeAvailability['name'][] = ['ai_edge_litert', 'tflite_runtime', 'tensorflow', 'tflite-c'];

export async function probeDevice(transport: BoardTransport, options: { tfliteLibrary?: string } = {}): Promise<DeviceProbe> {
  const facts = parseFacts((await run(transport, SYSTEM_SCRIPT, 'probing the system', { timeoutMs: 30_000 })).stdout);
  const python = textOrNull(facts.get('python'));
  let runtimes: RuntimeAvailability[] = [];
  let numpy = false;
  if (python) {
    const runner = await ensureRunner(transport);
    const args = ['probe', ...(options.tfliteLibrary ? ['--tflite-lib', options.tfliteLibrary] : [])];
    const result = await callRunner<{ runtimes: RuntimeAvailability[]; numpy: boolean }>(transport, runner, args, { timeoutMs: 60_000 });
    runtimes = result.runtimes;
    numpy = result.numpy;
  }
  const best = RUNTIME_ORDER.find((n) => runtimes.some((r) => r.name === n && r.usable)) ?? null;
  const temp = numberOrNull(facts.get('temp'));
  const memKb = numberOrNull(facts.get('memkb'));
  const diskKb = numberOrNull(facts.get('diskkb'));
  return {
    arch: facts.get('arch') ?? 'unknown',
    kernel: facts.get('kernel') ?? 'unknown',
    os: textOrNull(facts.get('os')),
    cpuModel: textOrNull(facts.get('cpu')),
    cores: numberOrNull(facts.get('cores')) ?? 1,
    ramMb: memKb === null ? null : Math.round(memKb / 1024),
    diskFreeMb: diskKb === null ? null : Math.round(diskKb / 1024),
    python,
    numpy,
    runtimes,
    bestRuntime: best,
    benchmarkModel: textOrNull(facts.get('benchmark_model')),
    governor: textOrNull(facts.get('governor')),
    cpuFreqMhz: { current: khzToMhz(facts.get('freqcur')), max: khzToMhz(facts.get('freqmax')) },
    temperatureC: temp === null ? null : temp / 1000,
    throttled: textOrNull(facts.get('throttled')),
  };
}
