#!/usr/bin/python3
"""PyTorch reference vectors for the tensor ops and class losses, written to test/vectors/ops/.

Rerun from the repository root with the Python that has PyTorch (1.13):

    /usr/bin/python3 test/gen_vectors_ops.py

Covers Tensor exp/log/softmax/log_softmax/max/argmax/topk (several dims and ranks, ties, NaN,
+-inf) and F.nll_loss / F.cross_entropy (ignore_index, label_smoothing, reductions, (C), (N, C)
and (N, C, d) shapes, every row ignored). Same file format and conventions as test/gen_vectors.py
(whose helpers it imports): each case runs in float32 ("torch.*") and in float64 on the same data
widened ("ref.*"); torch_err[key] = max |torch - ref| over the positions where the reference is
finite (non-finite positions must match exactly: the tests check them bit-class by bit-class).
Every float output `o` is weighed by a fixed random tensor `w.o` and the weighted sum is
backpropagated, so `grad.x` checks the backward with a non-trivial incoming gradient.
Output is deterministic (seed = crc32(case name)); reruns give byte-identical files.
"""
import os
import shutil
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_vectors import F32, F64, OUT, enc, seed_for, write_case  # noqa: E402

SUB = "ops"
INF, NAN = float("inf"), float("nan")


def masked_err(a32, a64):
    """max |a32 - a64| where a64 rounded to float32 is finite; asserts that a32 equals that rounding
    (NaN, +inf or -inf) everywhere else."""
    r32 = a64.detach().float().double()
    a32, a64 = a32.detach().double(), a64.detach()
    fin = torch.isfinite(r32)
    same_nan = torch.isnan(a32) == torch.isnan(r32)
    same_inf = torch.where(torch.isinf(r32), a32 == r32, torch.ones_like(fin))
    assert bool(same_nan.all()) and bool(same_inf.all()), "float32 and float64 disagree on non-finite values"
    return float((a32[fin] - a64[fin]).abs().max()) if bool(fin.any()) else 0.0


# ---- op definitions: fn(x, **cfg) -> dict of outputs (float outputs get gradients) ----------

def op_exp(x):
    return {"output": x.exp()}


def op_log(x):
    return {"output": x.log()}


def op_softmax(x, dim):
    return {"output": torch.softmax(x, dim)}


def op_log_softmax(x, dim):
    return {"output": torch.log_softmax(x, dim)}


def op_max_dim(x, dim, keepdim):
    v, i = torch.max(x, dim, keepdim=keepdim)
    return {"values": v, "indices": i}


def op_max_all(x):
    return {"output": x.max()}


def op_argmax(x, dim, keepdim):
    return {"indices": torch.argmax(x, dim=dim, keepdim=keepdim)}


def op_topk(x, k, dim, largest, ties=None):
    v, i = torch.topk(x, k, dim=dim, largest=largest, sorted=True)
    return {"values": v, "indices": i}


def op_nll_loss(x, targets, ignore_index, reduction):
    return {"loss": F.nll_loss(x, targets, ignore_index=ignore_index, reduction=reduction)}


def op_cross_entropy(x, targets, ignore_index, reduction, label_smoothing):
    return {"loss": F.cross_entropy(x, targets, ignore_index=ignore_index, reduction=reduction,
                                    label_smoothing=label_smoothing)}


OPS = {"exp": op_exp, "log": op_log, "softmax": op_softmax, "log_softmax": op_log_softmax,
       "max_dim": op_max_dim, "max_all": op_max_all, "argmax": op_argmax, "topk": op_topk,
       "nll_loss": op_nll_loss, "cross_entropy": op_cross_entropy}


# ---- inputs ----------------------------------------------------------------------------------

def X(*shape, scale=1.0, kind="randn"):
    def make():
        if kind == "randn":
            return torch.randn(shape) * scale
        if kind == "pos":
            return torch.rand(shape) * scale + 0.01
        if kind == "int":   # small integers: many ties
            return torch.randint(-2, 3, shape).float()
        raise ValueError(kind)
    return make


def fixed(values):
    return lambda: torch.tensor(values, dtype=F32)


def logp(*shape):
    return lambda: torch.log_softmax(torch.randn(shape) * 2, dim=1)


def T(*shape, C, ignored=0, ignore_index=-100):
    """Random class indices with `ignored` entries set to ignore_index (at random places)."""
    def make():
        t = torch.randint(0, C, shape)
        if ignored:
            flat = t.view(-1)
            flat[torch.randperm(flat.numel())[:ignored]] = ignore_index
        return t
    return make


def case(name, op, x, targets=None, **cfg):
    return dict(name=name, op=op, x=x, targets=targets, cfg=cfg)


SPECIAL_ROWS = [[INF, 0.0, 1.0, -2.0], [NAN, 0.0, 1.0, 2.0], [-INF, -INF, -INF, -INF],
                [-INF, 0.0, 1.0, -INF], [-INF, 3.0, -INF, -INF], [100.0, -100.0, 0.0, 50.0]]

CASES = [
    # exp / log
    case("exp_2d", "exp", X(3, 5, scale=3)),
    case("exp_wide", "exp", X(67, scale=4)),
    case("exp_special", "exp", fixed([INF, -INF, NAN, 100.0, -200.0, 0.0, -0.0, 88.0, -87.0])),
    case("log_2d", "log", X(4, 6, scale=10, kind="pos")),
    case("log_wide", "log", X(67, scale=1000, kind="pos")),
    case("log_special", "log", fixed([0.0, -0.0, -1.0, INF, -INF, NAN, 1.0, 1e-40, 3.4e38])),
    # softmax / log_softmax along every kind of dim
    case("softmax_2d_dim1", "softmax", X(4, 7, scale=2), dim=1),
    case("softmax_2d_dim0", "softmax", X(5, 3, scale=2), dim=0),
    case("softmax_3d_dim1", "softmax", X(2, 5, 3, scale=2), dim=1),
    case("softmax_3d_dim_neg1", "softmax", X(3, 2, 9, scale=2), dim=-1),
    case("softmax_4d_dim_neg2", "softmax", X(2, 3, 4, 5, scale=2), dim=-2),
    case("softmax_4d_dim0", "softmax", X(3, 2, 2, 3, scale=2), dim=0),
    case("softmax_1d", "softmax", X(10, scale=2), dim=0),
    case("softmax_0d", "softmax", fixed(1.5), dim=0),
    case("softmax_large_logits", "softmax", X(3, 8, scale=40), dim=1),
    case("softmax_wide", "softmax", X(4, 300, scale=3), dim=1),
    case("softmax_special", "softmax", fixed(SPECIAL_ROWS), dim=1),
    case("log_softmax_2d_dim1", "log_softmax", X(4, 7, scale=2), dim=1),
    case("log_softmax_2d_dim0", "log_softmax", X(5, 3, scale=2), dim=0),
    case("log_softmax_3d_dim1", "log_softmax", X(2, 5, 3, scale=2), dim=1),
    case("log_softmax_4d_dim_neg2", "log_softmax", X(2, 3, 4, 5, scale=2), dim=-2),
    case("log_softmax_1d", "log_softmax", X(10, scale=2), dim=-1),
    case("log_softmax_0d", "log_softmax", fixed(-0.5), dim=-1),
    case("log_softmax_large_logits", "log_softmax", X(3, 8, scale=40), dim=1),
    case("log_softmax_wide", "log_softmax", X(4, 300, scale=3), dim=-1),
    case("log_softmax_special", "log_softmax", fixed(SPECIAL_ROWS), dim=1),
    # max / argmax / topk (ties among small integers, NaN)
    case("max_dim1", "max_dim", X(4, 6), dim=1, keepdim=False),
    case("max_dim0_keepdim", "max_dim", X(4, 6), dim=0, keepdim=True),
    case("max_3d_dim1", "max_dim", X(3, 4, 5), dim=1, keepdim=False),
    case("max_3d_dim_neg1_keepdim", "max_dim", X(2, 3, 7), dim=-1, keepdim=True),
    case("max_ties", "max_dim", X(5, 6, kind="int"), dim=1, keepdim=False),
    case("max_nan", "max_dim", fixed([[1.0, NAN, 3.0, NAN], [2.0, 5.0, 5.0, 1.0], [NAN, 0.0, 9.0, 1.0]]),
         dim=1, keepdim=False),
    case("max_1d", "max_dim", X(9), dim=0, keepdim=False),
    case("max_0d", "max_dim", fixed(2.5), dim=0, keepdim=False),
    case("max_all", "max_all", X(3, 4)),
    case("max_all_ties", "max_all", fixed([[1.0, 3.0, 3.0], [2.0, 3.0, -1.0]])),
    case("max_all_nan", "max_all", fixed([1.0, NAN, 3.0, NAN, 2.0])),
    case("argmax_dim1", "argmax", X(4, 6), dim=1, keepdim=False),
    case("argmax_all", "argmax", X(3, 5), dim=None, keepdim=False),
    case("argmax_all_keepdim", "argmax", X(3, 5), dim=None, keepdim=True),
    case("argmax_3d_dim0_keepdim", "argmax", X(3, 4, 2), dim=0, keepdim=True),
    case("argmax_ties", "argmax", X(6, 5, kind="int"), dim=1, keepdim=False),
    case("argmax_nan", "argmax", fixed([[1.0, NAN, 3.0, NAN], [2.0, 5.0, 5.0, 1.0]]), dim=1, keepdim=False),
    case("topk_k3", "topk", X(3, 10), k=3, dim=-1, largest=True),
    case("topk_smallest", "topk", X(3, 10), k=4, dim=1, largest=False),
    case("topk_3d_dim1", "topk", X(2, 6, 3), k=2, dim=1, largest=True),
    case("topk_full_sort", "topk", X(2, 9), k=9, dim=1, largest=True),
    case("topk_k40_of_100", "topk", X(2, 100), k=40, dim=1, largest=True),
    case("topk_k40_smallest_3d", "topk", X(2, 70, 2), k=40, dim=1, largest=False),
    case("topk_nan", "topk", fixed([[1.0, NAN, 3.0, 2.0, NAN, 0.0]]), k=4, dim=1, largest=True),
    # PyTorch leaves the order of equal values unspecified (here it picks [5, 0, 3] in the second row):
    # "ties" tells the test to check values against PyTorch, indices and grad.x against our rule
    case("topk_ties", "topk", fixed([[1.0, 3.0, 3.0, 2.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0, 1.0, 5.0]]), k=3, dim=1,
         largest=True, ties="unspecified"),
    case("topk_k0", "topk", X(2, 5), k=0, dim=1, largest=True),
    # nll_loss
    case("nll_mean", "nll_loss", logp(6, 5), T(6, C=5, ignored=2), ignore_index=-100, reduction="mean"),
    case("nll_sum", "nll_loss", logp(6, 5), T(6, C=5, ignored=2), ignore_index=-100, reduction="sum"),
    case("nll_none", "nll_loss", logp(6, 5), T(6, C=5, ignored=2), ignore_index=-100, reduction="none"),
    case("nll_no_ignored", "nll_loss", logp(7, 4), T(7, C=4), ignore_index=-100, reduction="mean"),
    case("nll_ignore_valid_class", "nll_loss", logp(8, 4), T(8, C=4), ignore_index=2, reduction="mean"),
    case("nll_1d", "nll_loss", lambda: torch.log_softmax(torch.randn(6), 0), lambda: torch.tensor(4),
         ignore_index=-100, reduction="mean"),
    case("nll_1d_none", "nll_loss", lambda: torch.log_softmax(torch.randn(6), 0), lambda: torch.tensor(1),
         ignore_index=-100, reduction="none"),
    case("nll_all_ignored_mean", "nll_loss", logp(3, 4), T(3, C=4, ignored=3), ignore_index=-100, reduction="mean"),
    case("nll_all_ignored_sum", "nll_loss", logp(3, 4), T(3, C=4, ignored=3), ignore_index=-100, reduction="sum"),
    case("nll_3d", "nll_loss", lambda: torch.log_softmax(torch.randn(2, 4, 3), dim=1), T(2, 3, C=4, ignored=1),
         ignore_index=-100, reduction="mean"),
    # cross_entropy
    case("ce_mean", "cross_entropy", X(5, 4, scale=2), T(5, C=4), ignore_index=-100, reduction="mean",
         label_smoothing=0.0),
    case("ce_ignore_mean", "cross_entropy", X(8, 5, scale=2), T(8, C=5, ignored=3), ignore_index=-100,
         reduction="mean", label_smoothing=0.0),
    case("ce_ignore_sum", "cross_entropy", X(8, 5, scale=2), T(8, C=5, ignored=3), ignore_index=-100,
         reduction="sum", label_smoothing=0.0),
    case("ce_ignore_none", "cross_entropy", X(8, 5, scale=2), T(8, C=5, ignored=3), ignore_index=-100,
         reduction="none", label_smoothing=0.0),
    case("ce_ignore_valid_class", "cross_entropy", X(9, 4, scale=2), T(9, C=4), ignore_index=1,
         reduction="mean", label_smoothing=0.0),
    case("ce_smooth_mean", "cross_entropy", X(8, 5, scale=2), T(8, C=5, ignored=2), ignore_index=-100,
         reduction="mean", label_smoothing=0.1),
    case("ce_smooth_sum", "cross_entropy", X(8, 5, scale=2), T(8, C=5, ignored=2), ignore_index=-100,
         reduction="sum", label_smoothing=0.25),
    case("ce_smooth_none", "cross_entropy", X(8, 5, scale=2), T(8, C=5, ignored=2), ignore_index=-100,
         reduction="none", label_smoothing=0.2),
    case("ce_smooth_full", "cross_entropy", X(6, 3, scale=2), T(6, C=3), ignore_index=-100,
         reduction="mean", label_smoothing=1.0),
    case("ce_1d", "cross_entropy", X(7, scale=2), lambda: torch.tensor(3), ignore_index=-100, reduction="mean",
         label_smoothing=0.0),
    case("ce_1d_smooth_none", "cross_entropy", X(7, scale=2), lambda: torch.tensor(5), ignore_index=-100,
         reduction="none", label_smoothing=0.3),
    case("ce_all_ignored_mean", "cross_entropy", X(3, 4), T(3, C=4, ignored=3), ignore_index=-100,
         reduction="mean", label_smoothing=0.0),
    case("ce_all_ignored_smooth_mean", "cross_entropy", X(3, 4), T(3, C=4, ignored=3), ignore_index=-100,
         reduction="mean", label_smoothing=0.1),
    case("ce_all_ignored_sum", "cross_entropy", X(3, 4), T(3, C=4, ignored=3), ignore_index=-100,
         reduction="sum", label_smoothing=0.1),
    case("ce_batch_time", "cross_entropy", X(64, 65, scale=3), T(64, C=65, ignored=9), ignore_index=-100,
         reduction="mean", label_smoothing=0.1),
    case("ce_3d", "cross_entropy", X(2, 5, 3, scale=2), T(2, 3, C=5, ignored=1), ignore_index=-100,
         reduction="mean", label_smoothing=0.05),
    case("ce_3d_none", "cross_entropy", X(2, 5, 3, scale=2), T(2, 3, C=5, ignored=1), ignore_index=-100,
         reduction="none", label_smoothing=0.0),
]


def run(op, x, targets, cfg, dtype, weights):
    """outputs (detached) and grad.x of sum_o (o * w.o) in `dtype`."""
    xl = x.detach().to(dtype).requires_grad_(True)
    kw = dict(cfg)
    if targets is not None:
        kw["targets"] = targets
    outs = OPS[op](xl, **kw)
    loss = None
    for k, o in outs.items():
        if o.is_floating_point():
            term = (o * weights[k].to(dtype)).sum()
            loss = term if loss is None else loss + term
    grad = None
    if loss is not None:
        loss.backward()
        grad = xl.grad if xl.grad is not None else torch.zeros_like(xl)
    return {k: o.detach() for k, o in outs.items()}, grad


def gen(c):
    name = c["name"]
    seed = seed_for(name)
    torch.manual_seed(seed)
    x = c["x"]().to(F32)
    targets = c["targets"]() if c["targets"] else None
    kw = {**c["cfg"], "targets": targets} if targets is not None else c["cfg"]
    probe = OPS[c["op"]](x.double(), **kw)      # only for the output shapes of the weights
    weights = {k: torch.randn(o.shape) for k, o in probe.items() if o.is_floating_point()}
    o32, g32 = run(c["op"], x, targets, c["cfg"], F32, weights)
    o64, g64 = run(c["op"], x, targets, c["cfg"], F64, weights)
    tensors = {"x": enc(x, "f32")}
    if targets is not None:
        tensors["targets"] = enc(targets, "i32")
    for k, wt in weights.items():
        tensors["w." + k] = enc(wt, "f32")
    torch_err = {}
    for k in o32:
        if o32[k].is_floating_point():
            tensors["ref." + k] = enc(o64[k], "f64")
            tensors["torch." + k] = enc(o32[k], "f32")
            torch_err[k] = masked_err(o32[k], o64[k])
        else:   # indices: integers, exact
            assert torch.equal(o32[k], o64[k]), f"{name}: float32 and float64 indices differ"
            tensors["torch." + k] = enc(o32[k], "i32")
    if g32 is not None:
        tensors["ref.grad.x"] = enc(g64, "f64")
        tensors["torch.grad.x"] = enc(g32, "f32")
        torch_err["grad.x"] = masked_err(g32, g64)
    cfg = {k: v for k, v in c["cfg"].items()}
    obj = {"name": name, "kind": "op", "torch_version": torch.__version__, "config": {"op": c["op"], **cfg},
           "seed": seed, "torch_err": torch_err, "tensors": tensors}
    write_case(SUB, name, obj)
    return name, torch_err


def main():
    shutil.rmtree(os.path.join(OUT, SUB), ignore_errors=True)
    print(f"{'case':<36} {'max torch_err':>14}  worst key")
    for c in CASES:
        name, err = gen(c)
        key = max(err, key=err.get) if err else "-"
        print(f"{name:<36} {err.get(key, 0.0):14.3e}  {key}")
    print(f"{len(CASES)} cases written to {os.path.join(OUT, SUB)}")


if __name__ == "__main__":
    main()
