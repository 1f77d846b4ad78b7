// Paste-ready code for the board: how to feed the quantized model and read its outputs,
// with the exact I/O quantization parameters of this run. A detector run's record carries its
// host-side decode + NMS (made on the main side from the outputs' shapes and quantization):
// the code then ends with the boxes instead of a top-1 class.
import type { IoTensor, RunRecord } from '../../../src-main/projects/types';

export function quantFormula(t: IoTensor, direction: 'input' | 'output'): string {
  if (!t.quant) return `${t.name}: ${t.dtype}, no quantization (feed/read float values directly)`;
  const { scale, zeroPoint } = t.quant;
  return direction === 'input'
    ? `${t.name}: q = clamp(round(x / ${scale}) + ${zeroPoint}, ${t.dtype})`
    : `${t.name}: x = (q - ${zeroPoint}) * ${scale}`;
}

const npType = (dtype: string) => (dtype === 'float32' ? 'np.float32' : `np.${dtype}`);

export function pythonSnippet(run: RunRecord, modelFile: string): string {
  const inputs = run.io?.inputs ?? [];
  const outputs = run.io?.outputs ?? [];
  const lines = [
    'import numpy as np',
    'try:',
    '    from ai_edge_litert.interpreter import Interpreter',
    'except ImportError:',
    '    from tflite_runtime.interpreter import Interpreter',
    '',
    `interpreter = Interpreter(model_path="${modelFile}")`,
    'interpreter.allocate_tensors()',
    'inp = interpreter.get_input_details()',
    'out = interpreter.get_output_details()',
    '',
  ];
  inputs.forEach((t, i) => {
    lines.push(`# input ${i}: ${t.name} ${t.dtype} [${t.shape.join(', ')}]`);
    lines.push(`x${i} = np.zeros((${t.shape.join(', ')}), dtype=np.float32)  # your preprocessed data`);
    if (t.quant) {
      const info = t.dtype === 'uint8' ? 'np.iinfo(np.uint8)' : t.dtype === 'int16' ? 'np.iinfo(np.int16)' : 'np.iinfo(np.int8)';
      lines.push(`q${i} = np.clip(np.round(x${i} / ${t.quant.scale}) + ${t.quant.zeroPoint}, ${info}.min, ${info}.max).astype(${npType(t.dtype)})`);
      lines.push(`interpreter.set_tensor(inp[${i}]["index"], q${i})`);
    } else lines.push(`interpreter.set_tensor(inp[${i}]["index"], x${i}.astype(${npType(t.dtype)}))`);
  });
  lines.push('interpreter.invoke()', '');
  const detector = run.detection?.snippets?.python;
  if (detector) {
    lines.push(
      '# the raw output arrays in order: detect() dequantizes, decodes and runs NMS',
      'raw = [interpreter.get_tensor(o["index"]) for o in out]',
      'for x1, y1, x2, y2, score, cls in detect(raw):',
      '    print(f"class {cls} score {score:.2f} box ({x1:.0f}, {y1:.0f}) - ({x2:.0f}, {y2:.0f}) in input pixels")',
    );
    return `${detector}\n\n${lines.join('\n')}`;
  }
  outputs.forEach((t, i) => {
    lines.push(`y${i} = interpreter.get_tensor(out[${i}]["index"])`);
    if (t.quant) lines.push(`y${i} = (y${i}.astype(np.float32) - ${t.quant.zeroPoint}) * ${t.quant.scale}  # ${t.name} back to float`);
  });
  if (outputs.length) lines.push('print("top-1:", int(np.argmax(y0)))');
  return lines.join('\n');
}

const cType = (dtype: string) => ({ float32: 'float', int8: 'int8_t', uint8: 'uint8_t', int16: 'int16_t', int32: 'int32_t' })[dtype] ?? 'float';

export function cppSnippet(run: RunRecord, modelFile: string): string {
  const inputs = run.io?.inputs ?? [];
  const outputs = run.io?.outputs ?? [];
  const lines = [
    '#include <cmath>',
    '#include <cstdio>',
    '#include <memory>',
    '#include "tensorflow/lite/interpreter.h"',
    '#include "tensorflow/lite/kernels/register.h"',
    '#include "tensorflow/lite/model.h"',
    '',
    'int main() {',
    `  auto model = tflite::FlatBufferModel::BuildFromFile("${modelFile}");`,
    '  tflite::ops::builtin::BuiltinOpResolver resolver;',
    '  std::unique_ptr<tflite::Interpreter> interpreter;',
    '  tflite::InterpreterBuilder(*model, resolver)(&interpreter);',
    '  interpreter->AllocateTensors();',
  ];
  inputs.forEach((t, i) => {
    const n = t.shape.reduce((a, b) => a * Math.max(1, b), 1);
    lines.push(`  // input ${i}: ${t.name} ${t.dtype} [${t.shape.join(', ')}]`);
    lines.push(`  ${cType(t.dtype)}* in${i} = interpreter->typed_input_tensor<${cType(t.dtype)}>(${i});`);
    if (t.quant) {
      const [lo, hi] = t.dtype === 'uint8' ? [0, 255] : t.dtype === 'int16' ? [-32768, 32767] : [-128, 127];
      lines.push(`  for (int k = 0; k < ${n}; ++k) {`, `    float x = 0.0f;  // your preprocessed value`, `    long q = std::lround(x / ${t.quant.scale}f) + ${t.quant.zeroPoint};`, `    in${i}[k] = static_cast<${cType(t.dtype)}>(q < ${lo} ? ${lo} : q > ${hi} ? ${hi} : q);`, '  }');
    } else lines.push(`  for (int k = 0; k < ${n}; ++k) in${i}[k] = 0.0f;  // your preprocessed values`);
  });
  lines.push('  interpreter->Invoke();');
  const detector = run.detection?.snippets?.cpp;
  if (detector) {
    lines.push('  // every output dequantized, in order; then decode + per-class NMS (namespace detector above)', '  std::vector<std::vector<float>> outputs;');
    outputs.forEach((t, i) => {
      const n = t.shape.reduce((a, b) => a * Math.max(1, b), 1);
      lines.push(`  outputs.push_back(detector::Dequantize(${i}, interpreter->typed_output_tensor<${cType(t.dtype)}>(${i}), ${n}));`);
    });
    lines.push('  for (const detector::Box& b : detector::Detect(outputs)) {', '    std::printf("class %d score %.2f box (%.0f, %.0f) - (%.0f, %.0f)\\n", b.cls, b.score, b.x1, b.y1, b.x2, b.y2);', '  }', '  return 0;', '}');
    return `${detector}\n${lines.join('\n')}`;
  }
  outputs.forEach((t, i) => {
    lines.push(`  const ${cType(t.dtype)}* out${i} = interpreter->typed_output_tensor<${cType(t.dtype)}>(${i});`);
    if (t.quant) lines.push(`  float y${i}_0 = (out${i}[0] - ${t.quant.zeroPoint}) * ${t.quant.scale}f;  // ${t.name}[0] as float`, `  std::printf("%f\\n", y${i}_0);`);
  });
  lines.push('  return 0;', '}');
  return lines.join('\n');
}
