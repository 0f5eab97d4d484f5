#!/usr/bin/python3
"""Trains ocelli's small Fashion-MNIST CNN and exports it to ONNX (models/fashion/).

Needs Debian's python3-torch and python3-onnx (only to retrain; `make fashion` uses the committed files) and the
data set of Debian's dataset-fashion-mnist. Deterministic for a given --seed on one machine (CPU, one thread).

Writes:
  fashion_cnn.onnx       the float model (opset 13): Conv+BatchNorm+Relu, MaxPool, Conv+Relu, AveragePool,
                         Flatten, Dropout, Gemm
  float_predictions.txt  the float model's top-1 class of each of the 10000 test images, one digit per image in
                         file order (`make fashion` computes the float accuracy over its first N images from it)
  model.json             what was trained: epochs, seed, preprocessing, float test accuracy over all 10000 images

Preprocessing: pixel / 255 (no mean subtraction), the same that `ocelli fashion` applies.
"""
import argparse
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, 1, rows, cols)
    if magic == 2049:
        return np.frombuffer(data, dtype=np.uint8, offset=8)
    sys.exit(f"{path}: not an IDX image or label file (magic {magic})")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.pool2 = nn.AvgPool2d(2, count_include_pad=False)  # no padding; exports without a Pad node
        self.drop = nn.Dropout(0.25)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = self.pool1(torch.relu(self.bn1(self.conv1(x))))
        x = self.pool2(torch.relu(self.conv2(x)))
        return self.fc(self.drop(torch.flatten(x, 1)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(__file__), "..", "models", "fashion"))
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)

    x_train = torch.tensor(read_idx(f"{DATA}/train-images-idx3-ubyte.gz"), dtype=torch.float32) / 255
    y_train = torch.tensor(read_idx(f"{DATA}/train-labels-idx1-ubyte.gz"), dtype=torch.long)
    x_test = torch.tensor(read_idx(f"{DATA}/t10k-images-idx3-ubyte.gz"), dtype=torch.float32) / 255
    y_test = torch.tensor(read_idx(f"{DATA}/t10k-labels-idx1-ubyte.gz"), dtype=torch.long)

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    for epoch in range(args.epochs):
        net.train()
        perm = torch.randperm(len(x_train))
        for i in range(0, len(x_train), 128):
            idx = perm[i:i + 128]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
        print(f"epoch {epoch + 1}: last batch loss {loss.item():.3f}", flush=True)

    net.eval()
    with torch.no_grad():
        pred = torch.cat([net(x_test[i:i + 1000]).argmax(1) for i in range(0, len(x_test), 1000)])
    accuracy = (pred == y_test).float().mean().item()
    print(f"float test accuracy (10000 images): {accuracy * 100:.2f} %")

    os.makedirs(args.out_dir, exist_ok=True)
    torch.onnx.export(net, torch.zeros(1, 1, 28, 28), os.path.join(args.out_dir, "fashion_cnn.onnx"),
                      input_names=["image"], output_names=["logits"], opset_version=13,
                      dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}})
    with open(os.path.join(args.out_dir, "float_predictions.txt"), "w") as f:
        f.write("".join(str(int(p)) for p in pred) + "\n")
    with open(os.path.join(args.out_dir, "model.json"), "w") as f:
        json.dump({"model": "fashion_cnn.onnx", "data": DATA, "epochs": args.epochs, "seed": args.seed,
                   "preprocessing": "pixel / 255", "float_test_accuracy": accuracy, "test_images": len(x_test),
                   "torch": torch.__version__}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
