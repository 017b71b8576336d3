#!/usr/bin/python3
"""Train the q project's bundled example model (a small ResNet on
Fashion-MNIST) deterministically on CPU, and export it in MXNet 1.9 format.

Needs Debian 12 packages only: scripts/install-python-deps.sh installs
python3-torch, python3-numpy and dataset-fashion-mnist. Run with the system
interpreter (/usr/bin/python3), which is the one that sees python3-torch.

    /usr/bin/python3 scripts/train_fashion_mnist.py            # full run
    /usr/bin/python3 scripts/train_fashion_mnist.py --epochs 1 --train-subset 6000 \
        --out-dir /tmp/fm-check                                 # quick check

Outputs (in --out-dir, default examples/fashion-mnist):
    fmnist-resnet-symbol.json, fmnist-resnet-0000.params   the model (MXNet)
    golden/input.npy      first 16 test images, float32 (16,1,28,28) = uint8/255
    golden/input_u8.npy   the same images as uint8 (16,28,28)
    golden/labels.npy     their labels, int64 (16,)
    golden/torch_logits.npy  torch fp32 eval-mode logits, float32 (16,10)
    golden/meta.json      what the golden files are
    torch_predictions.npy torch top-1 class of all 10,000 test images, uint8

Preprocessing: x = pixel / 255 (float32, NCHW 1x1x28x28); no mean/std
normalisation, no augmentation. The graph ends in logits (FullyConnected
fc0), no softmax.

Determinism: fixed seeds, torch.use_deterministic_algorithms(True), a fixed
thread count (--threads, default 2), no DataLoader workers, and the shuffle
order drawn from a separately seeded torch.Generator. Bit-exact results hold
for the same torch build, CPU ISA and thread count.
"""

import argparse
import collections
import gzip
import hashlib
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mxnet_export  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIRS = ["/usr/share/datasets/fashion-mnist"]  # dpkg -L dataset-fashion-mnist
PREFIX = "fmnist-resnet"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
           "Shirt", "Sneaker", "Bag", "Ankle boot"]


# ---------------------------------------------------------------------------
# data

def read_idx(path):
    """Read an idx file (MNIST format), gzipped or not; returns a uint8 array."""
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path += ".gz"
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError("%s: not a uint8 idx file" % path)
    dims = struct.unpack(">%dI" % ndim, raw[4:4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError("%s: size mismatch" % path)
    return data.reshape(dims)


def find_data_dir(explicit):
    for d in ([explicit] if explicit else DATA_DIRS):
        f = os.path.join(d, "t10k-labels-idx1-ubyte")
        if os.path.exists(f) or os.path.exists(f + ".gz"):
            return d
    sys.exit("Fashion-MNIST not found (tried %s); run scripts/install-python-deps.sh"
             % (explicit or ", ".join(DATA_DIRS)))


def load_split(data_dir, split):
    x = read_idx(os.path.join(data_dir, "%s-images-idx3-ubyte" % split))
    y = read_idx(os.path.join(data_dir, "%s-labels-idx1-ubyte" % split))
    assert x.shape[1:] == (28, 28) and x.shape[0] == y.shape[0]
    return x, y


def preprocess(u8):
    """uint8 (N,28,28) -> float32 (N,1,28,28) in [0,1]."""
    return (u8.astype(np.float32) / np.float32(255.0))[:, None, :, :]


# ---------------------------------------------------------------------------
# model

class BasicBlock(nn.Module):
    """conv3x3-bn-relu-conv3x3-bn (+ identity or 1x1 conv-bn projection), add, relu."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False),
                                      nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = x if self.proj is None else self.proj(x)
        return F.relu(y + s)


class FMResNet(nn.Module):
    # (out_channels, stride) of the basic blocks; 28x28 -> 28 -> 14 -> 7
    BLOCKS = [(16, 1), (32, 2), (64, 2)]

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv0 = nn.Conv2d(1, 16, 3, 1, 1, bias=False)
        self.bn0 = nn.BatchNorm2d(16)
        blocks, c = [], 16
        for cout, stride in self.BLOCKS:
            blocks.append(BasicBlock(c, cout, stride))
            c = cout
        self.blocks = nn.ModuleList(blocks)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x):
        x = F.relu(self.bn0(self.conv0(x)))
        for b in self.blocks:
            x = b(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


def to_mxnet(model, prefix):
    """Rebuild the eval-mode graph with MXNet ops and save it.

    Naming (symbol-API / model-zoo style, global counters per op kind):
    conv0 bn0 relu0 | block k: conv, bn, relu, conv, bn, [proj conv, bn], add, relu
    | pool0 (global avg) flatten0 fc0.  Parameters conv<i>_weight,
    bn<i>_gamma/_beta (arg:), bn<i>_moving_mean/_moving_var (aux:), fc0_weight/_bias."""
    b = mxnet_export.SymbolBuilder()
    cnt = {}

    def name(kind):
        i = cnt.get(kind, 0)
        cnt[kind] = i + 1
        return "%s%d" % (kind, i)

    def np32(t):
        return t.detach().cpu().numpy().astype(np.float32)

    def conv(x, m):
        return b.convolution(name("conv"), x, np32(m.weight), stride=m.stride,
                             pad=m.padding)

    def bn(x, m):
        return b.batch_norm(name("bn"), x, np32(m.weight), np32(m.bias),
                            np32(m.running_mean), np32(m.running_var),
                            eps=m.eps, momentum=1.0 - m.momentum)

    x = b.var("data")
    x = b.relu(name("relu"), bn(conv(x, model.conv0), model.bn0))
    for blk in model.blocks:
        y = b.relu(name("relu"), bn(conv(x, blk.conv1), blk.bn1))
        y = bn(conv(y, blk.conv2), blk.bn2)
        s = x if blk.proj is None else bn(conv(x, blk.proj[0]), blk.proj[1])
        x = b.relu(name("relu"), b.add(name("add"), y, s))
    x = b.pooling(name("pool"), x, kernel=(7, 7), pool_type="avg", global_pool=True)
    x = b.flatten(name("flatten"), x)
    x = b.fully_connected(name("fc"), x, np32(model.fc.weight), np32(model.fc.bias))
    return b.save(prefix, heads=[x], epoch=0)


# ---------------------------------------------------------------------------
# training

def evaluate(model, x_u8, batch=1000):
    model.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, len(x_u8), batch):
            outs.append(model(torch.from_numpy(preprocess(x_u8[i:i + batch]))))
    return torch.cat(outs).numpy()


def state_hash(model):
    h = hashlib.sha256()
    for k, v in model.state_dict().items():
        h.update(k.encode())
        h.update(v.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--out-dir", default=os.path.join(REPO, "examples", "fashion-mnist"))
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1, help="peak SGD learning rate")
    ap.add_argument("--weight-decay", type=float, default=5e-4)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train-subset", type=int, default=0,
                    help="use only the first N training images (quick checks)")
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--save-state", metavar="PATH",
                    help="also save the trained torch state_dict here")
    ap.add_argument("--load-state", metavar="PATH",
                    help="skip training: load this state_dict, evaluate and export")
    args = ap.parse_args()

    # determinism
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)

    data_dir = find_data_dir(args.data_dir)
    xtr, ytr = load_split(data_dir, "train")
    xte, yte = load_split(data_dir, "t10k")
    if args.train_subset:
        xtr, ytr = xtr[:args.train_subset], ytr[:args.train_subset]
    print("data: %s  train %d  test %d" % (data_dir, len(xtr), len(xte)))
    xtr_t = torch.from_numpy(preprocess(xtr))
    ytr_t = torch.from_numpy(ytr.astype(np.int64))

    model = FMResNet()
    nparams = sum(p.numel() for p in model.parameters())
    nbuf = sum(bf.numel() for n, bf in model.named_buffers() if "running" in n)
    print("model: %d parameters + %d BN statistics" % (nparams, nbuf))

    steps_per_epoch = (len(xtr) + args.batch_size - 1) // args.batch_size
    total = steps_per_epoch * args.epochs
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (no_decay if p.ndim == 1 else decay).append(p)  # no weight decay on BN/bias
    opt = torch.optim.SGD([{"params": decay, "weight_decay": args.weight_decay},
                           {"params": no_decay, "weight_decay": 0.0}],
                          lr=args.lr, momentum=0.9, nesterov=True)
    # one-cycle: linear warm-up over the first 15% of steps, then cosine to 0
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=args.lr, total_steps=total, pct_start=0.15,
        anneal_strategy="cos", cycle_momentum=False, div_factor=10.0,
        final_div_factor=1000.0)
    gen = torch.Generator().manual_seed(args.seed + 1)

    if args.load_state:
        model.load_state_dict(torch.load(args.load_state))
        args.epochs = 0
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        loss_sum, correct, seen = 0.0, 0, 0
        for s in range(steps_per_epoch):
            idx = perm[s * args.batch_size:(s + 1) * args.batch_size]
            xb, yb = xtr_t[idx], ytr_t[idx]
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
            correct += (out.argmax(1) == yb).sum().item()
            seen += len(idx)
        acc = (evaluate(model, xte).argmax(1) == yte).mean()
        print("epoch %d/%d  loss %.4f  train-acc %.4f  test-acc %.4f  %.0fs"
              % (epoch + 1, args.epochs, loss_sum / seen, correct / seen, acc,
                 time.time() - t0), flush=True)
    train_s = time.time() - t0

    logits = evaluate(model, xte)
    pred = logits.argmax(1)
    acc = (pred == yte).mean()
    if not args.load_state:
        print("training time: %.1f s (%d threads)" % (train_s, args.threads))
    print("test top-1 accuracy: %.4f (%d/%d)" % (acc, (pred == yte).sum(), len(yte)))
    print("state sha256: %s" % state_hash(model))
    if args.save_state:
        torch.save(model.state_dict(), args.save_state)

    if args.no_export:
        return
    os.makedirs(os.path.join(args.out_dir, "golden"), exist_ok=True)
    model.eval()
    sym, par = to_mxnet(model, os.path.join(args.out_dir, PREFIX))
    gx = preprocess(xte[:16])
    with torch.no_grad():
        glog = model(torch.from_numpy(gx)).numpy().astype(np.float32)
    gdir = os.path.join(args.out_dir, "golden")
    np.save(os.path.join(gdir, "input.npy"), gx)
    np.save(os.path.join(gdir, "input_u8.npy"), np.ascontiguousarray(xte[:16]))
    np.save(os.path.join(gdir, "labels.npy"), yte[:16].astype(np.int64))
    np.save(os.path.join(gdir, "torch_logits.npy"), glog)
    np.save(os.path.join(args.out_dir, "torch_predictions.npy"), pred.astype(np.uint8))
    meta = collections.OrderedDict([
        ("model", PREFIX),
        ("input_name", "data"),
        ("input_file", "input.npy"),
        ("input_shape", list(gx.shape)),
        ("input_dtype", "float32"),
        ("outputs", [{"file": "torch_logits.npy", "head": "fc0",
                      "shape": list(glog.shape), "what": "logits (no softmax)"}]),
        ("suggested_tolerance",
         "fp32 vs fp32: abs diff <= 1e-4 * max(1, max abs(out)); int8: top-1 and cosine"),
        ("dataset", "Debian dataset-fashion-mnist, t10k split (test set)"),
        ("selection", "first 16 test images (t10k index 0..15)"),
        ("preprocessing", "x = uint8/255 (float32), NCHW (16,1,28,28); no mean/std"),
        ("produced_by", "scripts/train_fashion_mnist.py (torch %s, eval mode, fp32, %d threads)"
         % (torch.__version__, args.threads)),
        ("torch_test_top1", "%d/%d" % ((pred == yte).sum(), len(yte))),
    ])
    with open(os.path.join(gdir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    for p in (sym, par):
        print("wrote %s (%d bytes, sha256 %s)" % (os.path.relpath(p), os.path.getsize(p),
                                                   sha256_file(p)))


if __name__ == "__main__":
    main()
