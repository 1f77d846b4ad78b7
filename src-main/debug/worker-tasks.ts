// The debugger's tasks for compute workers: each worker reads both models from their .tflite
// bytes, builds its own LayerMeter, measures the samples it is sent and returns its figures'
// state; the caller merges them (analyze.ts).
import { readTflite } from '../tflite/reader';
import type { FiguresState } from './figures';
import { LayerMeter } from './meter';

let meter: LayerMeter | undefined;

export interface DebugOpenPayload {
  floatBytes: Uint8Array;
  quantBytes: Uint8Array;
  sensitivity: boolean;
}

export interface DebugSamplePayload {
  inputs: Float32Array[];
  sensitive: boolean;
}

export const debugTasks = {
  async 'debug.open'(payload: unknown) {
    const { floatBytes, quantBytes, sensitivity } = payload as DebugOpenPayload;
    meter?.dispose();
    meter = undefined;
    meter = await LayerMeter.open(readTflite(floatBytes), readTflite(quantBytes), sensitivity);
    return { result: null };
  },
  async 'debug.sample'(payload: unknown) {
    const { inputs, sensitive } = payload as DebugSamplePayload;
    if (!meter) throw new Error('debug.sample before debug.open');
    await meter.measure(inputs, sensitive);
    return { result: null };
  },
  async 'debug.finish'() {
    if (!meter) throw new Error('debug.finish before debug.open');
    const state: FiguresState = meter.figures.state();
    meter.dispose();
    meter = undefined;
    return { result: state };
  },
};
