// Host-side C++ for a detector (C++14, no dependencies): dequantize each raw output, decode
// boxes (x1, y1, x2, y2 in input pixels), per-class NMS. Same arithmetic as the TypeScript
// decoders: values stored as float, decoding in double.
import { inputSize } from '../decode';
import { boxScaleFactors, headPlan, yoloHeadText, type ChannelSpan, type DetectorSnippetSpec } from './plan';

export function cppDetectorSnippet(spec: DetectorSnippetSpec): string {
  const plan = headPlan(spec);
  const { width, height } = inputSize(spec.input.shape);
  const scales = spec.outputs.map((o) => (o.quant ? `${o.quant.scale}` : '1.0'));
  const zeros = spec.outputs.map((o) => (o.quant ? `${o.quant.zeroPoint}` : '0'));
  const lines = [
    '#include <algorithm>',
    '#include <cmath>',
    '#include <cstddef>',
    '#include <numeric>',
    '#include <vector>',
    '',
    'namespace detector {',
    '',
    `constexpr int kInputW = ${width}, kInputH = ${height};`,
    `constexpr double kScoreThreshold = ${spec.scoreThreshold}, kIouThreshold = ${spec.iouThreshold};`,
    `constexpr std::size_t kMaxDetections = ${spec.maxDetections};`,
    '// Per output in the model\'s output order: real = (q - zero_point) * scale (float outputs: 1, 0).',
    `constexpr double kOutputScale[] = {${scales.join(', ')}};`,
    `constexpr int kOutputZeroPoint[] = {${zeros.join(', ')}};`,
    '',
    'struct Box { double x1, y1, x2, y2, score; int cls; };',
    '',
    '// Raw output k (int8_t, uint8_t, int16_t or float) to real values.',
    'template <typename T>',
    'std::vector<float> Dequantize(int k, const T* q, std::size_t n) {',
    '  std::vector<float> out(n);',
    '  for (std::size_t i = 0; i < n; i++) out[i] = static_cast<float>(kOutputScale[k] * (static_cast<double>(q[i]) - kOutputZeroPoint[k]));',
    '  return out;',
    '}',
    '',
  ];
  if (plan.kind === 'yolov8') {
    const scale = boxScaleFactors(spec);
    const { boxes, scores } = plan;
    // Channel c of a span at anchor i, in the head's layout.
    const at = ({ output, first, channels }: ChannelSpan) => {
      const c = first ? `(c + ${first})` : 'c';
      return `static_cast<double>(outputs[${output}][${plan.channelsFirst ? `${c} * count + i` : `i * ${channels} + ${c}`}])`;
    };
    lines.push(
      `// The output's cx, cy, w, h are in ${scale.text}: these factors give input pixels.`,
      `constexpr double kBoxScaleX = ${scale.sx}, kBoxScaleY = ${scale.sy};`,
      '',
      `// YOLOv8 head: ${yoloHeadText(plan)}; cx cy w h, then ${plan.classes} class scores.`,
      'inline std::vector<Box> Decode(const std::vector<std::vector<float>>& outputs) {',
      `  const int count = ${plan.count}, classes = ${plan.classes};`,
      `  auto box = [&](int i, int c) { return ${at(boxes)}; };`,
      `  auto score = [&](int i, int c) { return ${at(scores)}; };`,
      '  std::vector<Box> found;',
      '  for (int i = 0; i < count; i++) {',
      '    int best = 0;',
      '    for (int c = 1; c < classes; c++) if (score(i, c) > score(i, best)) best = c;',
      '    const double s = score(i, best);',
      '    if (s < kScoreThreshold) continue;',
      '    const double cx = box(i, 0) * kBoxScaleX, cy = box(i, 1) * kBoxScaleY, w = box(i, 2) * kBoxScaleX, h = box(i, 3) * kBoxScaleY;',
      '    found.push_back({cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, s, best});',
      '  }',
      '  return found;',
      '}',
    );
  } else {
    lines.push(
      '// NanoDet levels: scores output, box-bins output, stride, grid width, classes, bins per side.',
      'struct Level { int scores, boxes, stride, grid_w, classes, bins; };',
      `const Level kLevels[] = {${plan.levels.map((l) => `{${l.scores}, ${l.boxes}, ${l.stride}, ${l.gridWidth}, ${l.classes}, ${l.bins}}`).join(', ')}};`,
      '',
      '// Softmax expectation of one side\'s bins.',
      'inline double Expectation(const float* b, int bins) {',
      '  double mx = -INFINITY, sum = 0, weighted = 0;',
      '  for (int k = 0; k < bins; k++) mx = std::max(mx, static_cast<double>(b[k]));',
      '  for (int k = 0; k < bins; k++) { const double e = std::exp(b[k] - mx); sum += e; weighted += e * k; }',
      '  return weighted / sum;',
      '}',
      '',
      'inline std::vector<Box> Decode(const std::vector<std::vector<float>>& outputs) {',
      '  std::vector<Box> found;',
      '  for (const Level& l : kLevels) {',
      '    const std::vector<float>& s = outputs[l.scores];',
      '    const std::vector<float>& b = outputs[l.boxes];',
      '    const int n = static_cast<int>(s.size()) / l.classes;',
      '    for (int i = 0; i < n; i++) {',
      '      int best = 0;',
      '      for (int c = 1; c < l.classes; c++) if (s[i * l.classes + c] > s[i * l.classes + best]) best = c;',
      '      const double score = s[i * l.classes + best];',
      '      if (score < kScoreThreshold) continue;',
      '      const double cx = (i % l.grid_w + 0.5) * l.stride, cy = (i / l.grid_w + 0.5) * l.stride;',
      '      double d[4];',
      '      for (int side = 0; side < 4; side++) d[side] = Expectation(&b[(i * 4 + side) * l.bins], l.bins) * l.stride;',
      '      found.push_back({cx - d[0], cy - d[1], cx + d[2], cy + d[3], score, best});',
      '    }',
      '  }',
      '  return found;',
      '}',
    );
  }
  lines.push(
    '',
    'inline double Iou(const Box& a, const Box& b) {',
    '  const double w = std::min(a.x2, b.x2) - std::max(a.x1, b.x1), h = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);',
    '  if (w <= 0 || h <= 0) return 0;',
    '  const double inter = w * h, uni = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;',
    '  return uni > 0 ? inter / uni : 0;',
    '}',
    '',
    '// Greedy per-class NMS, highest score first (ties keep the earlier box).',
    'inline std::vector<Box> Nms(const std::vector<Box>& boxes) {',
    '  std::vector<std::size_t> order(boxes.size());',
    '  std::iota(order.begin(), order.end(), 0);',
    '  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return boxes[a].score > boxes[b].score; });',
    '  std::vector<Box> kept;',
    '  for (std::size_t i : order) {',
    '    if (kept.size() >= kMaxDetections) break;',
    '    bool overlaps = false;',
    '    for (const Box& k : kept) if (k.cls == boxes[i].cls && Iou(k, boxes[i]) > kIouThreshold) { overlaps = true; break; }',
    '    if (!overlaps) kept.push_back(boxes[i]);',
    '  }',
    '  return kept;',
    '}',
    '',
    '// outputs: every output dequantized (Dequantize above), in the model\'s output order.',
    'inline std::vector<Box> Detect(const std::vector<std::vector<float>>& outputs) { return Nms(Decode(outputs)); }',
    '',
    '}  // namespace detector',
  );
  return lines.join('\n') + '\n';
}
