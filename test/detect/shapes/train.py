"""Trains the authored YOLOv8-style network (test/detect/yolov8-model.ts) on scenes of shapes and
writes its weights in the order the TypeScript builder consumes them. Run once, offline (see
./README.md); CI only reads the weights it wrote.

    python3 train.py DATA_DIR OUT_PREFIX [--minutes M] [--batch B]

DATA_DIR holds images.u8 and boxes.json from make-training-set.ts. The network mirrors the builder
call for call: TF 'same' padding (stride 2 pads bottom/right only), C2f with a split, SPPF, the
decoupled head, DFL over 16 bins. Loss: centre-sampled assignment (an anchor point inside a box and
within 2.5 strides of its centre, the box's extent within the 16 bins), BCE on the 80 class logits,
DFL cross-entropy plus 1 − GIoU on the boxes.
"""
import argparse
import json
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CLASSES = 80
BINS = 16
STRIDES = (8, 16, 32)


class ConvBn(nn.Module):
    def __init__(self, cin, cout, k, s):
        super().__init__()
        self.k, self.s = k, s
        self.conv = nn.Conv2d(cin, cout, k, s, 0, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=1e-3, momentum=0.03)

    def forward(self, x):
        if self.k > 1:
            # TF 'same': total padding k − s (even input), the extra pixel at the bottom/right.
            total = self.k - self.s
            x = F.pad(x, (total // 2, total - total // 2, total // 2, total - total // 2))
        return self.bn(self.conv(x))


class ConvBias(nn.Module):
    def __init__(self, cin, cout, bias):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 1, 1, 0, bias=True)
        nn.init.constant_(self.conv.bias, bias)

    def forward(self, x):
        return self.conv(x)


class Yolo(nn.Module):
    """Modules are made on the first forward, in the order the builder makes its layers."""

    def __init__(self, size):
        super().__init__()
        self.layers = nn.ModuleList()
        self.turn = 0
        with torch.no_grad():
            self.forward(torch.zeros(1, 3, size, size))
        for m in self.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.reset_running_stats()

    def take(self, make):
        if self.turn == len(self.layers):
            self.layers.append(make())
        m = self.layers[self.turn]
        self.turn += 1
        return m

    def conv(self, x, f, k=1, s=1):
        return F.silu(self.take(lambda: ConvBn(x.shape[1], f, k, s))(x))

    def conv_bias(self, x, f, bias):
        return self.take(lambda: ConvBias(x.shape[1], f, bias))(x)

    def c2f(self, x, out, n, shortcut):
        c = out // 2
        y = self.conv(x, 2 * c)
        a, b = y[:, :c], y[:, c:]
        parts = [a, b]
        last = b
        for _ in range(n):
            m = self.conv(self.conv(last, c, 3), c, 3)
            last = last + m if shortcut else m
            parts.append(last)
        return self.conv(torch.cat(parts, 1), out)

    def sppf(self, x, out):
        y = self.conv(x, x.shape[1] // 2)
        pools = [y]
        for _ in range(3):
            pools.append(F.max_pool2d(pools[-1], 5, 1, 2))
        return self.conv(torch.cat(pools, 1), out)

    def forward(self, x):
        self.turn = 0
        up = lambda t: F.interpolate(t, scale_factor=2, mode="nearest")
        y = self.conv(x, 16, 3, 2)
        y = self.c2f(self.conv(y, 32, 3, 2), 32, 1, True)
        p3 = self.c2f(self.conv(y, 64, 3, 2), 64, 2, True)
        p4 = self.c2f(self.conv(p3, 128, 3, 2), 128, 2, True)
        p5 = self.sppf(self.c2f(self.conv(p4, 256, 3, 2), 256, 1, True), 256)
        n4 = self.c2f(torch.cat([up(p5), p4], 1), 128, 1, False)
        o3 = self.c2f(torch.cat([up(n4), p3], 1), 64, 1, False)
        o4 = self.c2f(torch.cat([self.conv(o3, 64, 3, 2), n4], 1), 128, 1, False)
        o5 = self.c2f(torch.cat([self.conv(o4, 128, 3, 2), p5], 1), 256, 1, False)
        boxes, logits = [], []
        for level, s in zip((o3, o4, o5), STRIDES):
            box = self.conv_bias(self.conv(self.conv(level, 64, 3), 64, 3), 4 * BINS, 1.0)
            cls = self.conv_bias(self.conv(self.conv(level, 80, 3), 80, 3), CLASSES, math.log(5 / CLASSES / (640 / s) ** 2))
            n = box.shape[0]
            # NCHW → [n, cells, channels], cells row-major as the NHWC reshape in the builder.
            boxes.append(box.permute(0, 2, 3, 1).reshape(n, -1, 4 * BINS))
            logits.append(cls.permute(0, 2, 3, 1).reshape(n, -1, CLASSES))
        return torch.cat(boxes, 1).view(x.shape[0], -1, 4, BINS), torch.cat(logits, 1)


def anchor_points(size):
    points, strides = [], []
    for s in STRIDES:
        g = size // s
        ys, xs = torch.meshgrid(torch.arange(g), torch.arange(g), indexing="ij")
        points.append(torch.stack([xs.reshape(-1) + 0.5, ys.reshape(-1) + 0.5], 1) * s)
        strides.append(torch.full((g * g,), float(s)))
    return torch.cat(points), torch.cat(strides)


def assign(points, strides, gt):
    """gt: [G, 5] (class, x1, y1, x2, y2) in pixels → per anchor: gt index or −1."""
    if gt.shape[0] == 0:
        return torch.full((points.shape[0],), -1, dtype=torch.long)
    px, py = points[:, 0:1], points[:, 1:2]
    l, t = px - gt[:, 1], py - gt[:, 2]
    r, b = gt[:, 3] - px, gt[:, 4] - py
    ltrb = torch.stack([l, t, r, b], -1)  # [A, G, 4]
    inside = ltrb.min(-1).values > 0
    cx, cy = (gt[:, 1] + gt[:, 3]) / 2, (gt[:, 2] + gt[:, 4]) / 2
    radius = 2.5 * strides[:, None]
    central = ((px - cx).abs() < radius) & ((py - cy).abs() < radius)
    extent = ltrb.max(-1).values / strides[:, None]
    fits = (extent <= BINS - 1.5) & (extent >= 1.5)
    ok = inside & central & fits
    area = (gt[:, 3] - gt[:, 1]) * (gt[:, 4] - gt[:, 2])
    cost = torch.where(ok, area.expand_as(ok), torch.full_like(ok, float("inf"), dtype=torch.float32))
    best = cost.min(1)
    return torch.where(torch.isfinite(best.values), best.indices, torch.full_like(best.indices, -1))


def giou(a, b):
    ix = (torch.min(a[:, 2], b[:, 2]) - torch.max(a[:, 0], b[:, 0])).clamp(min=0)
    iy = (torch.min(a[:, 3], b[:, 3]) - torch.max(a[:, 1], b[:, 1])).clamp(min=0)
    inter = ix * iy
    union = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) - inter
    iou = inter / union.clamp(min=1e-9)
    cw = torch.max(a[:, 2], b[:, 2]) - torch.min(a[:, 0], b[:, 0])
    ch = torch.max(a[:, 3], b[:, 3]) - torch.min(a[:, 1], b[:, 1])
    hull = (cw * ch).clamp(min=1e-9)
    return iou - (hull - union) / hull


def loss_fn(box_logits, cls_logits, targets, points, strides):
    n = box_logits.shape[0]
    bins = torch.arange(BINS, dtype=torch.float32)
    cls_target = torch.zeros_like(cls_logits)
    box_terms, dfl_terms, positives = [], [], 0
    for i in range(n):
        gt = targets[i]
        who = assign(points, strides, gt)
        pos = who >= 0
        k = int(pos.sum())
        if k == 0:
            continue
        positives += k
        g = gt[who[pos]]
        cls_target[i, pos, g[:, 0].long()] = 1.0
        p, s = points[pos], strides[pos][:, None]
        want = torch.stack([p[:, 0] - g[:, 1], p[:, 1] - g[:, 2], g[:, 3] - p[:, 0], g[:, 4] - p[:, 1]], 1) / s
        want = want.clamp(0, BINS - 1.01)
        logits = box_logits[i, pos]  # [k, 4, 16]
        lo = want.floor().long()
        w_hi = want - lo
        logp = F.log_softmax(logits, -1)
        dfl = -(logp.gather(-1, lo[..., None])[..., 0] * (1 - w_hi) + logp.gather(-1, (lo + 1)[..., None])[..., 0] * w_hi)
        dfl_terms.append(dfl.mean(-1))
        dist = (logits.softmax(-1) * bins).sum(-1) * s
        pred = torch.stack([p[:, 0] - dist[:, 0], p[:, 1] - dist[:, 1], p[:, 0] + dist[:, 2], p[:, 1] + dist[:, 3]], 1)
        box_terms.append(1 - giou(pred, g[:, 1:]))
    norm = max(positives, 1)
    cls = F.binary_cross_entropy_with_logits(cls_logits, cls_target, reduction="sum") / norm
    box = torch.cat(box_terms).sum() / norm if box_terms else cls * 0
    dfl = torch.cat(dfl_terms).sum() / norm if dfl_terms else cls * 0
    return 0.5 * cls + 7.5 * box + 1.5 * dfl, (cls.item(), box.item(), dfl.item(), positives / n)


def export(model, prefix):
    """Weights in the builder's order: ConvBn → kernel HWIO, gamma, beta, mean, variance;
    ConvBias → kernel HWIO, bias. float16, little-endian, one file; shapes in a JSON manifest."""
    arrays, manifest = [], []
    for m in model.layers:
        if isinstance(m, ConvBn):
            kernel = m.conv.weight.detach().permute(2, 3, 1, 0).numpy()
            parts = [kernel, m.bn.weight, m.bn.bias, m.bn.running_mean, m.bn.running_var]
            kind = "conv-bn"
        else:
            kernel = m.conv.weight.detach().permute(2, 3, 1, 0).numpy()
            parts = [kernel, m.conv.bias]
            kind = "conv-bias"
        parts = [p if isinstance(p, np.ndarray) else p.detach().numpy() for p in parts]
        manifest.append({"kind": kind, "shapes": [list(p.shape) for p in parts]})
        arrays += [np.ascontiguousarray(p, dtype="<f2").reshape(-1) for p in parts]
    np.concatenate(arrays).tofile(prefix + ".f16")
    with open(prefix + ".json", "w") as f:
        json.dump({"layers": manifest}, f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--resume", help="weights prefix to start from (a previous run's output)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(8)
    rng = np.random.default_rng(8)
    meta = json.load(open(args.data + "/boxes.json"))
    size, count = meta["size"], meta["count"]
    images = np.memmap(args.data + "/images.u8", dtype=np.uint8, mode="r", shape=(count, size, size, 3))
    targets = [torch.tensor([[b["classId"], b["x1"], b["y1"], b["x2"], b["y2"]] for b in bs], dtype=torch.float32).reshape(-1, 5) for bs in meta["boxes"]]
    model = Yolo(size)
    if args.resume:
        from mirror import load

        load(model, args.resume)
    points, strides = anchor_points(size)
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    rest = [p for n, p in model.named_parameters() if p.ndim <= 1]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 5e-4}, {"params": rest, "weight_decay": 0}], lr=args.lr)
    start = time.time()
    budget = args.minutes * 60
    step = 0
    model.train()
    while True:
        elapsed = time.time() - start
        if elapsed > budget:
            break
        frac = elapsed / budget
        lr = args.lr * min(1.0, (step + 1) / 150) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr
        idx = rng.integers(0, count, args.batch)
        x = torch.from_numpy(np.stack([images[i] for i in idx]).astype(np.float32) / 255).permute(0, 3, 1, 2)
        ts = []
        for j, i in enumerate(idx):
            t = targets[i].clone()
            if rng.random() < 0.5:
                x[j] = x[j].flip(-1)
                t[:, [1, 3]] = size - t[:, [3, 1]]
            # Brightness and contrast jitter, as photos differ in exposure.
            x[j] = ((x[j] - 0.5) * rng.uniform(0.7, 1.3) + 0.5 + rng.uniform(-0.1, 0.1)).clamp(0, 1)
            ts.append(t)
        box_logits, cls_logits = model(x)
        loss, parts = loss_fn(box_logits, cls_logits, ts, points, strides)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        opt.step()
        step += 1
        if step % 20 == 0:
            print(f"{elapsed / 60:6.1f} min step {step}: loss {loss.item():.3f} cls {parts[0]:.3f} box {parts[1]:.3f} dfl {parts[2]:.3f} pos/img {parts[3]:.0f} lr {lr:.2e}", flush=True)
        if step % 200 == 0:
            export(model, args.out)
    model.eval()
    export(model, args.out)
    print(f"done: {step} steps in {(time.time() - start) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
