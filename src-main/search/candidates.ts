// The search's candidates: each a quantization the user could have asked for by hand, in the
// order the search tries them (cheap and likely first). Mixed-precision candidates are derived
// later from the debugger's ranking.
import type { QuantizeConfig } from '../quantize/qtypes';

export const CANDIDATE_KINDS = ['fp16', 'dynamic', 'int8', 'int8-gptq', 'int16x8', 'int8-mixed'] as const;
export type CandidateKind = (typeof CANDIDATE_KINDS)[number];

export interface CandidateSpec {
  id: string;
  kind: CandidateKind;
  label: string;
  quantize: QuantizeConfig;
}

export function baseCandidates(kinds: readonly CandidateKind[], calibration: NonNullable<QuantizeConfig['calibration']>): CandidateSpec[] {
  const plain = { inputType: 'float32', outputType: 'float32', int8Only: false } as const;
  const all: CandidateSpec[] = [
    { id: 'fp16', kind: 'fp16', label: 'FP16 weights', quantize: { ...plain, mode: 'fp16', weightRounding: 'nearest' } },
    { id: 'dynamic', kind: 'dynamic', label: 'INT8 dynamic range', quantize: { ...plain, mode: 'dynamic' } },
    { id: 'int8', kind: 'int8', label: 'INT8 full integer', quantize: { ...plain, mode: 'int8', calibration } },
    { id: 'int8-gptq', kind: 'int8-gptq', label: 'INT8 full integer, GPTQ rounding', quantize: { ...plain, mode: 'int8', calibration, weightRounding: 'gptq' } },
    { id: 'int16x8', kind: 'int16x8', label: 'INT16 activations × INT8 weights', quantize: { ...plain, mode: 'int16x8', calibration } },
  ];
  return all.filter((c) => kinds.includes(c.kind));
}

/** int8 with the `layers` (float tensor names, most harmful first) kept float32. */
export function mixedCandidate(layers: readonly string[], total: number, calibration: NonNullable<QuantizeConfig['calibration']>): CandidateSpec {
  return {
    id: `int8-float${layers.length}`,
    kind: 'int8-mixed',
    label: `INT8 with ${layers.length} of ${total} layers float`,
    quantize: { inputType: 'float32', outputType: 'float32', int8Only: false, mode: 'int8', calibration, keepFloat: [...layers] },
  };
}
