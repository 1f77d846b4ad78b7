"""Runs the trained weights in PyTorch on raw images and writes the model's final output, so the
TypeScript build of the same network can be compared with it (yolov8-mirror.ts):

    python3 mirror.py WEIGHTS_PREFIX IMAGES.u8 SIZE OUT.f32

IMAGES.u8: N × SIZE × SIZE × 3 uint8. OUT.f32: N × 84 × cells float32, the [1, 84, 8400] layout.
"""
import json
import sys

import numpy as np
import torch

from train import BINS, STRIDES, ConvBn, Yolo, anchor_points


def load(model, prefix):
    values = np.fromfile(prefix + ".f16", dtype="<f2").astype(np.float32)
    layers = json.load(open(prefix + ".json"))["layers"]
    at = 0
    for m, entry in zip(model.layers, layers):
        arrays = []
        for shape in entry["shapes"]:
            n = int(np.prod(shape))
            arrays.append(torch.from_numpy(values[at : at + n].reshape(shape).copy()))
            at += n
        m.conv.weight.data = arrays[0].permute(3, 2, 0, 1).contiguous()
        if isinstance(m, ConvBn):
            m.bn.weight.data, m.bn.bias.data, m.bn.running_mean.data, m.bn.running_var.data = arrays[1:]
        else:
            m.conv.bias.data = arrays[1]
    assert at == values.size


def decode(box_logits, cls_logits, size):
    points, strides = anchor_points(size)
    dist = (box_logits.softmax(-1) * torch.arange(BINS, dtype=torch.float32)).sum(-1)
    p = points / strides[:, None]
    x1y1, x2y2 = p - dist[..., :2], p + dist[..., 2:]
    box = torch.cat([(x1y1 + x2y2) / 2, x2y2 - x1y1], -1) * strides[:, None]
    return torch.cat([box, cls_logits.sigmoid()], -1).permute(0, 2, 1)


def main():
    prefix, images, size, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    model = Yolo(size)
    load(model, prefix)
    model.eval()
    x = np.fromfile(images, dtype=np.uint8).reshape(-1, size, size, 3)
    with torch.no_grad():
        y = decode(*model(torch.from_numpy(x.astype(np.float32) / 255).permute(0, 3, 1, 2)), size)
    y.numpy().astype("<f4").tofile(out)


if __name__ == "__main__":
    main()
