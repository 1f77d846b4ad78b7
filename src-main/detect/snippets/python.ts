// Host-side Python (numpy) for a detector: dequantize the raw outputs, decode boxes (x1, y1, x2,
// y2 in input pixels), per-class NMS. Same arithmetic as src-main/detect/decoders.
import { inputSize } from '../decode';
import { boxScaleFactors, headPlan, yoloHeadText, type ChannelSpan, type DetectorSnippetSpec } from './plan';


export function pythonDetectorSnippet(spec: DetectorSnippetSpec): string {
  const plan = headPlan(spec);
  const { width, height } = inputSize(spec.input.shape);
  const quant = spec.outputs.map((o) => (o.quant ? `(${o.quant.scale}, ${o.quant.zeroPoint})` : 'None'));
  const lines = [
    'import numpy as np',
    '',
    `INPUT_W, INPUT_H = ${width}, ${height}`,
    `SCORE_THRESHOLD = ${spec.scoreThreshold}`,
    `IOU_THRESHOLD = ${spec.iouThreshold}`,
    `MAX_DETECTIONS = ${spec.maxDetections}`,
    '# (scale, zero_point) per output in the model\'s output order; None: already float',
    `OUTPUT_QUANT = [${quant.join(', ')}]`,
    '',
    '',
    'def dequantize(outputs):',
    '    out = []',
    '    for y, q in zip(outputs, OUTPUT_QUANT):',
    '        y = np.asarray(y)',
    '        out.append(y.astype(np.float32) if q is None else ((y.astype(np.float64) - q[1]) * q[0]).astype(np.float32))',
    '    return out',
    '',
    '',
  ];
  if (plan.kind === 'yolov8') {
    const scale = boxScaleFactors(spec);
    const { boxes, scores } = plan;
    // A span's `width` channels, one row per anchor (the whole output when the span is all of it).
    const rows = ({ output, first, channels }: ChannelSpan, width: number) => `rows(ys[${output}], ${channels})${first === 0 && width === channels ? '' : `[:, ${first}:${first + width}]`}`;
    lines.push(
      `# The output's cx, cy, w, h are in ${scale.text}: these factors give input pixels.`,
      `BOX_SCALE_X, BOX_SCALE_Y = ${scale.sx}, ${scale.sy}`,
      '',
      '',
      'def rows(y, channels):',
      '    """An output as one row per anchor: (N, channels)."""',
      `    return ${plan.channelsFirst ? 'y.astype(np.float64).reshape(channels, -1).T' : 'y.astype(np.float64).reshape(-1, channels)'}`,
      '',
      '',
      `def decode(outputs):`,
      `    """YOLOv8 head: ${yoloHeadText(plan)}; cx, cy, w, h in ${scale.text} and ${plan.classes} class scores."""`,
      '    ys = dequantize(outputs)',
      `    b = ${rows(boxes, 4)}`,
      `    s = ${rows(scores, plan.classes)}`,
      '    cls = s.argmax(1)',
      '    score = s[np.arange(len(s)), cls]',
      '    keep = np.nonzero(score >= SCORE_THRESHOLD)[0]',
      '    cx, cy, w, h = (b[keep, k] * f for k, f in enumerate((BOX_SCALE_X, BOX_SCALE_Y, BOX_SCALE_X, BOX_SCALE_Y)))',
      '    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1)',
      '    return boxes, score[keep], cls[keep]',
    );
  } else {
    lines.push(
      '# (scores output, box-bins output, stride, grid width, bins per side) per level',
      `LEVELS = [${plan.levels.map((l) => `(${l.scores}, ${l.boxes}, ${l.stride}, ${l.gridWidth}, ${l.bins})`).join(', ')}]`,
      '',
      '',
      'def decode(outputs):',
      `    """NanoDet head: per level ${plan.classes} class scores and 4 sides x bins of distance logits."""`,
      '    ys = dequantize(outputs)',
      '    all_boxes, all_scores, all_classes = [], [], []',
      '    for si, bi, stride, grid_w, bins in LEVELS:',
      `        s = ys[si].astype(np.float64).reshape(-1, ${plan.classes})`,
      '        cls = s.argmax(1)',
      '        score = s[np.arange(len(s)), cls]',
      '        idx = np.nonzero(score >= SCORE_THRESHOLD)[0]',
      '        b = ys[bi].astype(np.float64).reshape(len(s), 4, bins)[idx]',
      '        e = np.exp(b - b.max(2, keepdims=True))',
      '        d = (e * np.arange(bins)).sum(2) / e.sum(2) * stride',
      '        cx = (idx % grid_w + 0.5) * stride',
      '        cy = (idx // grid_w + 0.5) * stride',
      '        all_boxes.append(np.stack([cx - d[:, 0], cy - d[:, 1], cx + d[:, 2], cy + d[:, 3]], 1))',
      '        all_scores.append(score[idx])',
      '        all_classes.append(cls[idx])',
      '    return np.concatenate(all_boxes), np.concatenate(all_scores), np.concatenate(all_classes)',
    );
  }
  lines.push(
    '',
    '',
    'def iou(a, b):',
    '    w = np.minimum(a[2], b[:, 2]) - np.maximum(a[0], b[:, 0])',
    '    h = np.minimum(a[3], b[:, 3]) - np.maximum(a[1], b[:, 1])',
    '    inter = np.where((w > 0) & (h > 0), w * h, 0.0)',
    '    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) - inter',
    '    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)',
    '',
    '',
    'def nms(boxes, scores, classes):',
    '    """Greedy per-class NMS, highest score first; returns kept indices."""',
    '    kept = []',
    '    for i in np.argsort(-scores, kind="stable"):',
    '        if len(kept) >= MAX_DETECTIONS:',
    '            break',
    '        same = [k for k in kept if classes[k] == classes[i]]',
    '        if same and (iou(boxes[i], boxes[same]) > IOU_THRESHOLD).any():',
    '            continue',
    '        kept.append(i)',
    '    return kept',
    '',
    '',
    'def detect(outputs):',
    '    """outputs: the interpreter\'s output arrays in order. Returns [(x1, y1, x2, y2, score, class)] in input pixels."""',
    '    boxes, scores, classes = decode(outputs)',
    '    return [(*boxes[i].tolist(), float(scores[i]), int(classes[i])) for i in nms(boxes, scores, classes)]',
  );
  return lines.join('\n') + '\n';
}
