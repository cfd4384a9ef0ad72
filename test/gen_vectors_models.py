#!/usr/bin/python3
"""PyTorch reference vectors for whole sequence models: Embedding, and Sequential(Embedding, RNN/LSTM/GRU,
Dropout, Linear) models end to end, plus a short Adam training run. Writes test/vectors/models/<case>.json.

Rerun from the repository root with the Python that has PyTorch (1.13):

    /usr/bin/python3 test/gen_vectors_models.py

Same format, conventions and helpers as test/gen_vectors.py (imported from it): each case seeds torch with
crc32(case name); every tensor is computed twice from the same float32 data, in float32 ("torch.*") and in
float64 ("ref.*"), and torch_err[key] = max |torch.key - ref.key|. Cases are described in
test/vectors/README.md ("models/").
"""
import copy
import os
import shutil
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_vectors import OUT, F32, F64, compare, enc, header, max_err, seed_for, write_case  # noqa: E402

SUB = "models"

# ----------------------------------------------------------------------------------------------
# Case tables
# ----------------------------------------------------------------------------------------------
# Embedding cases: idx = shape of the index tensor; pad = padding_idx; nonzero_pad = overwrite the
# padding row with random values before use (a loaded state_dict may hold any row there).
EMB_CASES = [
    dict(name="emb_basic", N=10, D=4, idx=(2, 3), pad=None),
    dict(name="emb_pad0", N=30, D=16, idx=(4, 7), pad=0),
    dict(name="emb_pad_negative", N=12, D=5, idx=(20,), pad=-2),
    dict(name="emb_pad_nonzero_row", N=8, D=3, idx=(3, 2, 4), pad=3, nonzero_pad=True),
    # one row gathered 60 times: a long sum in its gradient; D = 67 crosses the SIMD tiles
    dict(name="emb_repeated_wide", N=5, D=67, idx=(60,), pad=None, skew=True),
    dict(name="emb_scalar_index", N=6, D=7, idx=(), pad=None),
]

# Sequential models: Embedding -> recurrent -> [Dropout] -> Linear, logits per timestep, loss =
# cross_entropy(logits.reshape(-1, C), labels). `mods` builds the modules (PyTorch's constructors).
MODEL_CASES = [
    dict(name="seq_emb_lstm2_linear", T=7, B=3, batch_first=False,
         mods=lambda: [nn.Embedding(30, 16, padding_idx=0), nn.LSTM(16, 32, num_layers=2, dropout=0.1),
                       nn.Linear(32, 4)]),
    dict(name="seq_emb_gru_bidir_bf_linear", T=6, B=4, batch_first=True,
         mods=lambda: [nn.Embedding(20, 8), nn.GRU(8, 12, batch_first=True, bidirectional=True),
                       nn.Linear(24, 5)]),
    dict(name="seq_emb_rnn_dropout_linear", T=5, B=2, batch_first=False,
         mods=lambda: [nn.Embedding(15, 6, padding_idx=-1), nn.RNN(6, 10, num_layers=2, nonlinearity="relu"),
                       nn.Dropout(0.3), nn.Linear(10, 3)]),
    dict(name="seq_emb_lstm_proj_linear", T=4, B=2, batch_first=True,
         mods=lambda: [nn.Embedding(11, 5, padding_idx=2), nn.LSTM(5, 9, proj_size=4, batch_first=True),
                       nn.Linear(4, 6, bias=False)]),
]

# Training: Embedding -> GRU (batch_first) -> Linear, next-token cross-entropy, Adam, 20 steps.
TRAIN_CASES = [
    dict(name="train_emb_gru_linear", V=12, E=8, H=16, B=4, T=6, lr=0.01, steps=20),
]


class SeqTakeOutput(nn.Sequential):
    """nn.Sequential, except that a recurrent module's (output, state) tuple passes only `output` on,
    which is what wasm-rnn's Sequential does (PyTorch's own Sequential would hand the tuple to Linear).
    The state_dict keys are nn.Sequential's: 0.weight, 1.weight_ih_l0, 2.bias, ..."""

    def forward(self, x):
        for m in self:
            x = m(x[0] if isinstance(x, tuple) else x)
        return x


# ----------------------------------------------------------------------------------------------

def gen_embedding(case):
    name, N, D, pad = case["name"], case["N"], case["D"], case["pad"]
    seed = seed_for(name)
    torch.manual_seed(seed)
    module = nn.Embedding(N, D, padding_idx=pad).eval()
    if case.get("nonzero_pad"):
        with torch.no_grad():
            module.weight[module.padding_idx] = torch.randn(D)
    if case.get("skew"):   # mostly one index
        idx = torch.where(torch.rand(case["idx"]) < 0.8, torch.tensor(2), torch.randint(0, N, case["idx"]))
    else:
        idx = torch.randint(0, N, case["idx"])
        if pad is not None and idx.dim() > 0:   # make sure the padding row and a repeat occur
            flat = idx.view(-1)
            flat[0] = module.padding_idx
            flat[-1] = module.padding_idx
            flat[1] = flat[2]
    with torch.no_grad():
        w = torch.randn(module(idx).shape)

    def fn(m, L):
        out = m(idx)
        return {"output": out}, (out * w.to(out.dtype)).sum()

    tensors, torch_err = {"indices": enc(idx, "i32"), "w": enc(w, "f32")}, {}
    for k, p in module.state_dict().items():
        tensors["param." + k] = enc(p, "f32")
    compare(module, {}, fn, tensors, torch_err)
    obj = header(name, "Embedding", {"num_embeddings": N, "embedding_dim": D, "padding_idx": pad},
                 repr=repr(module), padding_idx_normalized=module.padding_idx, seed=seed,
                 description="out = emb(indices); loss = (out * w).sum()",
                 param_names=list(module.state_dict().keys()), torch_err=torch_err, tensors=tensors)
    write_case(SUB, name, obj)
    return name, torch_err


def gen_model(case):
    name, T, B, bf = case["name"], case["T"], case["B"], case["batch_first"]
    seed = seed_for(name)
    torch.manual_seed(seed)
    mods = case["mods"]()
    module = SeqTakeOutput(*mods).eval()
    V = mods[0].num_embeddings
    C = mods[-1].out_features
    shape = (B, T) if bf else (T, B)
    idx = torch.randint(0, V, shape)
    if mods[0].padding_idx is not None:
        idx.view(-1)[::5] = mods[0].padding_idx
    labels = torch.randint(0, C, (T * B,))

    def fn(m, L):
        logits = m(idx)
        return {"logits": logits}, F.cross_entropy(logits.reshape(-1, C), labels)

    tensors, torch_err = {"indices": enc(idx, "i32"), "labels": enc(labels, "i32")}, {}
    for k, p in module.state_dict().items():
        tensors["param." + k] = enc(p, "f32")
    l32, l64 = compare(module, {}, fn, tensors, torch_err)
    tensors["torch.loss"], tensors["ref.loss"] = enc(l32, "f32"), enc(l64, "f64")
    torch_err["loss"] = max_err(l32, l64)
    obj = header(name, "model", {}, repr=repr(nn.Sequential(*mods)), batch_first=bf, seq_len=T, batch=B,
                 classes=C, seed=seed,
                 description="logits = model(indices) (a recurrent module passes its output sequence on; "
                             "Dropout in eval mode); loss = F.cross_entropy(logits.reshape(-1, classes), labels)",
                 param_names=list(module.state_dict().keys()), torch_err=torch_err, tensors=tensors)
    write_case(SUB, name, obj)
    return name, torch_err


def train(model0, idx, targets, V, lr, steps, dtype):
    model = copy.deepcopy(model0).to(dtype)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(idx).reshape(-1, V), targets)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, model


def gen_train(case):
    name, V, E, H, B, T = case["name"], case["V"], case["E"], case["H"], case["B"], case["T"]
    seed = seed_for(name)
    torch.manual_seed(seed)
    model = SeqTakeOutput(nn.Embedding(V, E), nn.GRU(E, H, batch_first=True), nn.Linear(H, V)).eval()
    seq = torch.randint(0, V, (B, T + 1))
    idx, targets = seq[:, :-1].contiguous(), seq[:, 1:].reshape(-1)
    losses32, m32 = train(model, idx, targets, V, case["lr"], case["steps"], F32)
    losses64, m64 = train(model, idx, targets, V, case["lr"], case["steps"], F64)
    tensors = {"indices": enc(idx, "i32"), "targets": enc(targets, "i32")}
    for k, p in model.state_dict().items():
        tensors["param." + k] = enc(p, "f32")
    tensors["losses"] = enc(np.array(losses32), "f64")
    tensors["losses64"] = enc(np.array(losses64), "f64")
    for k, p in m32.state_dict().items():
        tensors["torch.final.param." + k] = enc(p, "f32")
    for k, p in m64.state_dict().items():
        tensors["ref.final.param." + k] = enc(p, "f64")
    torch_err = {"losses": float(np.abs(np.array(losses32) - np.array(losses64)).max())}
    for k in m32.state_dict():
        torch_err["final.param." + k] = max_err(m32.state_dict()[k], m64.state_dict()[k])
    obj = header(name, "train_model", {}, repr=repr(nn.Sequential(*model)), optimizer="Adam", lr=case["lr"],
                 betas=[0.9, 0.999], eps=1e-8, steps=case["steps"], loss="CrossEntropyLoss", vocab=V,
                 seq_len=T, batch=B, seed=seed,
                 description="model = Sequential(Embedding(V, E), GRU(E, H, batch_first=True), Linear(H, V)); "
                             "for each step: zero_grad; loss = cross_entropy(model(indices).reshape(-1, V), "
                             "targets); backward; Adam step; losses.append(loss.item()) (the pre-step loss). "
                             "losses64: the same run in float64.",
                 param_names=list(model.state_dict().keys()), torch_err=torch_err, tensors=tensors)
    write_case(SUB, name, obj)
    return name, torch_err


def main():
    shutil.rmtree(os.path.join(OUT, SUB), ignore_errors=True)
    summary = [gen_embedding(c) for c in EMB_CASES]
    summary += [gen_model(c) for c in MODEL_CASES]
    summary += [gen_train(c) for c in TRAIN_CASES]
    print(f"{'case':<40} {'max torch_err':>14}  worst key")
    for name, err in summary:
        key = max(err, key=err.get)
        print(f"{SUB + '/' + name:<40} {err[key]:14.3e}  {key}")
    print(f"{len(summary)} cases written to {os.path.join(OUT, SUB)}")


if __name__ == "__main__":
    main()
