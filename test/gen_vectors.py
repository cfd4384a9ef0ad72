#!/usr/bin/python3
"""Generate the PyTorch reference vectors in test/vectors/ (committed, so the tests need no PyTorch).

Rerun from the repository root with the Python that has PyTorch (1.13):

    /usr/bin/python3 test/gen_vectors.py

It rewrites test/vectors/{rnn,lstm,gru,cell,packed,train,graph}/<case>.json, one JSON file per case
(format: test/vectors/README.md; loader: test/vectors.ts). Output is deterministic: every case seeds
torch with crc32(case name), torch runs single-threaded, and the JSON is written with a fixed key order,
so two runs give byte-identical files.

For each module/cell/graph case the same module is run twice from the same float32 data:
  * as-is in float32                  -> "torch.*" tensors (what PyTorch itself gets),
  * converted with .double() on the   -> "ref.*" tensors (the float64 reference),
    float32 data widened to float64
and torch_err[key] = max |torch.key - ref.key| records how far PyTorch's own float32 is from the reference.
"""
import base64
import copy
import json
import os
import re
import shutil
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors")
F32, F64 = torch.float32, torch.float64
torch.set_num_threads(1)

# ----------------------------------------------------------------------------------------------
# Case tables
# ----------------------------------------------------------------------------------------------
# Module cases: cfg = PyTorch constructor kwargs (dropout is always 0); T = sequence length;
# B = batch size or None for unbatched input; h0 = pass an initial state (h0, and c0 for LSTM).


def C(name, kind, T, B, h0, **cfg):
    return dict(name=name, kind=kind, T=T, B=B, h0=h0, cfg=cfg)


RNN_CASES = [
    C("rnn_tanh_basic", "RNN", 4, 3, False, input_size=5, hidden_size=10),
    C("rnn_relu_h0", "RNN", 5, 2, True, input_size=4, hidden_size=6, nonlinearity="relu"),
    C("rnn_tanh_2layer_h0", "RNN", 5, 2, True, input_size=7, hidden_size=13, num_layers=2),
    C("rnn_relu_3layer", "RNN", 4, 2, False, input_size=6, hidden_size=8, num_layers=3, nonlinearity="relu"),
    C("rnn_tanh_3layer_h0", "RNN", 3, 2, True, input_size=3, hidden_size=5, num_layers=3),
    C("rnn_bidir_h0", "RNN", 5, 3, True, input_size=5, hidden_size=7, bidirectional=True),
    C("rnn_relu_bidir_2layer", "RNN", 4, 2, False, input_size=4, hidden_size=6, num_layers=2,
      nonlinearity="relu", bidirectional=True),
    C("rnn_bidir_3layer_batch_first_h0", "RNN", 4, 2, True, input_size=3, hidden_size=5, num_layers=3,
      bidirectional=True, batch_first=True),
    C("rnn_batch_first_h0", "RNN", 5, 3, True, input_size=6, hidden_size=9, batch_first=True),
    C("rnn_nobias_2layer_h0", "RNN", 4, 2, True, input_size=5, hidden_size=7, num_layers=2, bias=False),
    C("rnn_relu_nobias_bidir", "RNN", 3, 2, False, input_size=4, hidden_size=5, bidirectional=True,
      bias=False, nonlinearity="relu"),
    C("rnn_unbatched", "RNN", 5, None, False, input_size=4, hidden_size=6),
    C("rnn_unbatched_2layer_h0", "RNN", 4, None, True, input_size=5, hidden_size=7, num_layers=2),
    C("rnn_unbatched_bidir", "RNN", 4, None, False, input_size=3, hidden_size=5, bidirectional=True),
    C("rnn_unbatched_bidir_2layer_h0", "RNN", 3, None, True, input_size=4, hidden_size=6, num_layers=2,
      bidirectional=True),
    C("rnn_unbatched_batch_first_h0", "RNN", 4, None, True, input_size=3, hidden_size=5, batch_first=True),
    C("rnn_sizes_67_13", "RNN", 3, 2, True, input_size=67, hidden_size=13),
    C("rnn_sizes_7_67", "RNN", 3, 2, False, input_size=7, hidden_size=67, num_layers=2),
    C("rnn_T1_2layer_h0", "RNN", 1, 3, True, input_size=5, hidden_size=7, num_layers=2),
    C("rnn_T1_bidir", "RNN", 1, 2, False, input_size=4, hidden_size=6, bidirectional=True),
    C("rnn_B1", "RNN", 6, 1, True, input_size=3, hidden_size=4),
    C("rnn_tutorial", "RNN", 6, 3, False, input_size=5, hidden_size=10, batch_first=True),
    C("rnn_medium", "RNN", 16, 8, False, input_size=32, hidden_size=64, num_layers=2),
]

LSTM_CASES = [
    C("lstm_basic", "LSTM", 4, 3, False, input_size=5, hidden_size=10),
    C("lstm_h0c0", "LSTM", 5, 2, True, input_size=4, hidden_size=6),
    C("lstm_2layer_h0", "LSTM", 5, 2, True, input_size=5, hidden_size=11, num_layers=2),
    C("lstm_3layer", "LSTM", 4, 2, False, input_size=3, hidden_size=5, num_layers=3),
    C("lstm_bidir_h0", "LSTM", 5, 3, True, input_size=5, hidden_size=7, bidirectional=True),
    C("lstm_bidir_2layer_batch_first", "LSTM", 4, 2, False, input_size=4, hidden_size=6, num_layers=2,
      bidirectional=True, batch_first=True),
    C("lstm_batch_first_h0", "LSTM", 5, 3, True, input_size=6, hidden_size=9, batch_first=True),
    C("lstm_nobias_2layer_h0", "LSTM", 4, 2, True, input_size=5, hidden_size=7, num_layers=2, bias=False),
    C("lstm_proj_h0", "LSTM", 5, 2, True, input_size=5, hidden_size=8, proj_size=3),
    C("lstm_proj_2layer", "LSTM", 4, 3, False, input_size=6, hidden_size=11, num_layers=2, proj_size=4),
    C("lstm_proj_bidir_2layer_batch_first_h0", "LSTM", 4, 2, True, input_size=5, hidden_size=6,
      num_layers=2, bidirectional=True, batch_first=True, proj_size=3),
    C("lstm_proj_nobias_bidir", "LSTM", 3, 2, False, input_size=4, hidden_size=7, bidirectional=True,
      bias=False, proj_size=5),
    C("lstm_sizes_17_11", "LSTM", 3, 2, True, input_size=17, hidden_size=11),
    C("lstm_sizes_5_17", "LSTM", 3, 2, False, input_size=5, hidden_size=17, num_layers=2),
    C("lstm_T1_2layer_h0", "LSTM", 1, 3, True, input_size=5, hidden_size=7, num_layers=2),
    C("lstm_unbatched", "LSTM", 5, None, False, input_size=4, hidden_size=6),
    C("lstm_unbatched_2layer_h0", "LSTM", 4, None, True, input_size=5, hidden_size=7, num_layers=2),
    C("lstm_unbatched_bidir_h0", "LSTM", 4, None, True, input_size=3, hidden_size=5, bidirectional=True),
    C("lstm_unbatched_proj_bidir_h0", "LSTM", 3, None, True, input_size=4, hidden_size=6,
      bidirectional=True, proj_size=2),
    C("lstm_unbatched_batch_first_proj", "LSTM", 4, None, False, input_size=3, hidden_size=5,
      batch_first=True, proj_size=2),
    C("lstm_medium", "LSTM", 12, 4, False, input_size=32, hidden_size=48, num_layers=2),
]

GRU_CASES = [
    C("gru_basic", "GRU", 4, 3, False, input_size=5, hidden_size=10),
    C("gru_h0", "GRU", 5, 2, True, input_size=4, hidden_size=6),
    C("gru_2layer_h0", "GRU", 5, 2, True, input_size=5, hidden_size=11, num_layers=2),
    C("gru_3layer", "GRU", 4, 2, False, input_size=3, hidden_size=5, num_layers=3),
    C("gru_bidir_h0", "GRU", 5, 3, True, input_size=5, hidden_size=7, bidirectional=True),
    C("gru_bidir_2layer_batch_first", "GRU", 4, 2, False, input_size=4, hidden_size=6, num_layers=2,
      bidirectional=True, batch_first=True),
    C("gru_batch_first_h0", "GRU", 5, 3, True, input_size=6, hidden_size=9, batch_first=True),
    C("gru_nobias_2layer_h0", "GRU", 4, 2, True, input_size=5, hidden_size=7, num_layers=2, bias=False),
    C("gru_nobias_bidir", "GRU", 3, 2, False, input_size=4, hidden_size=5, bidirectional=True, bias=False),
    C("gru_sizes_17_11", "GRU", 3, 2, True, input_size=17, hidden_size=11),
    C("gru_sizes_5_17", "GRU", 3, 2, False, input_size=5, hidden_size=17, num_layers=2),
    C("gru_T1_2layer_h0", "GRU", 1, 3, True, input_size=5, hidden_size=7, num_layers=2),
    C("gru_unbatched", "GRU", 5, None, False, input_size=4, hidden_size=6),
    C("gru_unbatched_2layer_h0", "GRU", 4, None, True, input_size=5, hidden_size=7, num_layers=2),
    C("gru_unbatched_bidir_h0", "GRU", 4, None, True, input_size=3, hidden_size=5, bidirectional=True),
    C("gru_unbatched_batch_first_2layer", "GRU", 4, None, False, input_size=3, hidden_size=5, num_layers=2,
      batch_first=True),
    C("gru_medium", "GRU", 12, 4, False, input_size=32, hidden_size=48, num_layers=2),
    # long dot products: K = 3H = 384 in the recurrence, T·B = 256 in the weight gradients
    C("gru_wide", "GRU", 32, 8, True, input_size=40, hidden_size=128),
]

# Cell cases: B = None means unbatched input (I,) and hidden (H,).
CELL_CASES = [
    C("rnncell_tanh_batched_h0", "RNNCell", None, 3, True, input_size=5, hidden_size=7),
    C("rnncell_tanh_batched", "RNNCell", None, 2, False, input_size=4, hidden_size=6),
    C("rnncell_tanh_unbatched_h0", "RNNCell", None, None, True, input_size=5, hidden_size=7),
    C("rnncell_tanh_nobias_h0", "RNNCell", None, 3, True, input_size=6, hidden_size=5, bias=False),
    C("rnncell_relu_batched_h0", "RNNCell", None, 3, True, input_size=5, hidden_size=7, nonlinearity="relu"),
    C("rnncell_relu_unbatched", "RNNCell", None, None, False, input_size=4, hidden_size=6,
      nonlinearity="relu"),
    C("rnncell_relu_nobias_unbatched_h0", "RNNCell", None, None, True, input_size=3, hidden_size=5,
      bias=False, nonlinearity="relu"),
    C("lstmcell_batched_h0", "LSTMCell", None, 3, True, input_size=5, hidden_size=7),
    C("lstmcell_batched", "LSTMCell", None, 2, False, input_size=4, hidden_size=6),
    C("lstmcell_unbatched_h0", "LSTMCell", None, None, True, input_size=5, hidden_size=7),
    C("lstmcell_unbatched", "LSTMCell", None, None, False, input_size=3, hidden_size=4),
    C("lstmcell_nobias_h0", "LSTMCell", None, 3, True, input_size=6, hidden_size=5, bias=False),
    C("grucell_batched_h0", "GRUCell", None, 3, True, input_size=5, hidden_size=7),
    C("grucell_batched", "GRUCell", None, 2, False, input_size=4, hidden_size=6),
    C("grucell_unbatched_h0", "GRUCell", None, None, True, input_size=5, hidden_size=7),
    C("grucell_unbatched", "GRUCell", None, None, False, input_size=3, hidden_size=4),
    C("grucell_nobias_h0", "GRUCell", None, 3, True, input_size=6, hidden_size=5, bias=False),
]

# Packed cases: variable, unsorted lengths (pack_padded_sequence(..., enforce_sorted=False)).
PACKED_CASES = [
    dict(C("packed_rnn_h0", "RNN", 6, 4, True, input_size=5, hidden_size=7), lengths=[3, 6, 1, 4]),
    dict(C("packed_rnn_bidir_2layer_h0", "RNN", 6, 4, True, input_size=4, hidden_size=6, num_layers=2,
           bidirectional=True), lengths=[3, 6, 1, 4]),
    dict(C("packed_rnn_relu_batch_first_short", "RNN", 6, 3, False, input_size=3, hidden_size=5,
           nonlinearity="relu", batch_first=True), lengths=[2, 4, 1]),  # max(lengths) < T
    dict(C("packed_lstm_2layer_batch_first_h0", "LSTM", 5, 5, True, input_size=4, hidden_size=6,
           num_layers=2, batch_first=True), lengths=[2, 5, 5, 1, 3]),
    dict(C("packed_lstm_bidir", "LSTM", 6, 4, False, input_size=5, hidden_size=7, bidirectional=True),
         lengths=[3, 6, 1, 4]),
    dict(C("packed_lstm_proj_bidir_2layer_h0", "LSTM", 6, 4, True, input_size=5, hidden_size=7,
           num_layers=2, bidirectional=True, proj_size=3), lengths=[4, 2, 6, 3]),
    dict(C("packed_gru", "GRU", 6, 4, False, input_size=5, hidden_size=7), lengths=[3, 6, 1, 4]),
    dict(C("packed_gru_bidir_2layer_batch_first_h0", "GRU", 5, 3, True, input_size=4, hidden_size=6,
           num_layers=2, bidirectional=True, batch_first=True), lengths=[1, 5, 3]),
]

# Tutorial 003 classifiers (batch 3, T=6, input 5, hidden 10, labels [0,1,0], Adam(lr=0.01), 20 epochs).
TRAIN_CASES = [
    dict(name="single", cfg=dict(input_size=5, hidden_size=10, batch_first=True), fc_in=10,
         head="fc(hidden[0])"),
    dict(name="multi4", cfg=dict(input_size=5, hidden_size=10, num_layers=4, batch_first=True), fc_in=10,
         head="fc(out[:, -1, :])"),
    dict(name="bi2", cfg=dict(input_size=5, hidden_size=10, num_layers=2, batch_first=True,
                              bidirectional=True), fc_in=20,
         head="fc(torch.cat((hidden[-2], hidden[-1]), dim=1))"),
]
TRAIN_EPOCHS, TRAIN_LR = 20, 0.01

# Graph cases: small end-to-end graphs; `head` names a function in GRAPH_HEADS below.
GRAPH_CASES = [
    dict(name="rnn_select_linear_ce", kind="RNN", head="select_ce", T=5, B=4, classes=3,
         cfg=dict(input_size=4, hidden_size=6, num_layers=2, batch_first=True),
         description="out, h_n = rnn(x); logits = fc(h_n.select(0, -1)); "
                     "loss = F.cross_entropy(logits, labels)  (class indices, mean reduction)"),
    dict(name="rnn_bidir_cat_linear_ce", kind="RNN", head="cat_ce", T=5, B=3, classes=2,
         cfg=dict(input_size=5, hidden_size=7, num_layers=2, batch_first=True, bidirectional=True),
         description="out, h_n = rnn(x); logits = fc(torch.cat((h_n[-2], h_n[-1]), 1)); "
                     "loss = F.cross_entropy(logits, labels)"),
    dict(name="rnn_output_weighted_sum", kind="RNN", head="weighted_sum", T=4, B=3, classes=None,
         cfg=dict(input_size=3, hidden_size=5, num_layers=2),
         description="out, h_n = rnn(x); loss = (out * w).sum() + h_n.sum()"),
    dict(name="lstm_last_linear_ce", kind="LSTM", head="last_ce", T=6, B=3, classes=2,
         cfg=dict(input_size=5, hidden_size=8, batch_first=True),
         description="out, (h_n, c_n) = lstm(x); logits = fc(out[:, -1, :]); "
                     "loss = F.cross_entropy(logits, labels)"),
    dict(name="gru_hlast_linear_ce", kind="GRU", head="select_ce", T=5, B=4, classes=3,
         cfg=dict(input_size=4, hidden_size=6, num_layers=2, batch_first=True),
         description="out, h_n = gru(x); logits = fc(h_n.select(0, -1)); "
                     "loss = F.cross_entropy(logits, labels)"),
]

MODULES = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU,
           "RNNCell": nn.RNNCell, "LSTMCell": nn.LSTMCell, "GRUCell": nn.GRUCell}

# ----------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------
NP_DTYPE = {"f32": "<f4", "f64": "<f8", "i32": "<i4"}


def seed_for(name):
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def enc(t, dtype):
    a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    a = np.array(a, dtype=NP_DTYPE[dtype], order="C")  # (np.ascontiguousarray would make 0-d 1-d)
    return {"shape": list(a.shape), "dtype": dtype, "data": base64.b64encode(a.tobytes()).decode("ascii")}


def max_err(a32, a64):
    return float((a32.detach().double() - a64.detach()).abs().max()) if a64.numel() else 0.0


def full_config(kind, cfg):
    """The PyTorch kwargs that apply to this module kind, with defaults filled in."""
    out = {"input_size": cfg["input_size"], "hidden_size": cfg["hidden_size"]}
    if kind in ("RNN", "LSTM", "GRU"):
        out["num_layers"] = cfg.get("num_layers", 1)
    if kind in ("RNN", "RNNCell"):
        out["nonlinearity"] = cfg.get("nonlinearity", "tanh")
    out["bias"] = cfg.get("bias", True)
    if kind in ("RNN", "LSTM", "GRU"):
        out["batch_first"] = cfg.get("batch_first", False)
        out["bidirectional"] = cfg.get("bidirectional", False)
    if kind == "LSTM":
        out["proj_size"] = cfg.get("proj_size", 0)
    return out


def evaluate(module, leaves, fn, dtype):
    """Run fn(m, leaves) -> (outputs dict, scalar loss) on a copy of `module` converted to `dtype`,
    with leaf tensors widened/kept to `dtype`; backprop the loss. Returns (outputs, loss, grads) where
    grads has 'x', 'h0', ... (for leaves) and the parameter names."""
    m = copy.deepcopy(module).to(dtype)
    m.zero_grad(set_to_none=True)
    L = {k: v.detach().to(dtype).requires_grad_(k not in ("lengths", "labels")) for k, v in leaves.items()}
    outs, loss = fn(m, L)
    loss.backward()
    grads = {k: v.grad for k, v in L.items() if v.requires_grad}
    for k, p in m.named_parameters():
        grads[k] = p.grad if p.grad is not None else torch.zeros_like(p)
    return {k: v.detach() for k, v in outs.items()}, loss.detach(), grads


def compare(module, leaves, fn, tensors, torch_err):
    """float32 run -> torch.*, float64 run -> ref.*, and torch_err."""
    o32, l32, g32 = evaluate(module, leaves, fn, F32)
    o64, l64, g64 = evaluate(module, leaves, fn, F64)
    pairs = [(k, o32[k], o64[k]) for k in o32]
    pairs += [("grad." + k, g32[k], g64[k]) for k in g32]
    for key, a32, a64 in pairs:
        tensors["ref." + key] = enc(a64, "f64")
        tensors["torch." + key] = enc(a32, "f32")
        torch_err[key] = max_err(a32, a64)
    return l32, l64


def write_case(sub, name, obj):
    d = os.path.join(OUT, sub)
    os.makedirs(d, exist_ok=True)
    text = json.dumps(obj, indent=1)
    # keep short numeric arrays (shapes, lengths) on one line
    text = re.sub(r"\[\s*([-+0-9.eE,\s]+?)\s*\]",
                  lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",")) + "]", text)
    with open(os.path.join(d, name + ".json"), "w", newline="\n") as f:
        f.write(text + "\n")


def header(name, kind, config, **extra):
    return {"name": name, "kind": kind, "torch_version": torch.__version__, "config": config, **extra}


def state_shapes(kind, cfg, B):
    """Shapes of h0 / c0 (and of h_n / c_n) for a module."""
    D = 2 if cfg["bidirectional"] else 1
    L = cfg["num_layers"]
    H = cfg["hidden_size"]
    Hout = cfg.get("proj_size", 0) or H
    lead = (L * D,) if B is None else (L * D, B)
    return lead + (Hout,), lead + (H,)


# ----------------------------------------------------------------------------------------------
# Kinds
# ----------------------------------------------------------------------------------------------

def gen_module(sub, case):
    """RNN / LSTM / GRU, optionally packed (case['lengths'])."""
    name, kind, T, B = case["name"], case["kind"], case["T"], case["B"]
    cfg = full_config(kind, case["cfg"])
    lengths = case.get("lengths")
    seed = seed_for(name)
    torch.manual_seed(seed)
    module = MODULES[kind](**cfg).eval()
    D = 2 if cfg["bidirectional"] else 1
    I = cfg["input_size"]
    x_shape = (T, I) if B is None else ((B, T, I) if cfg["batch_first"] else (T, B, I))
    h_shape, c_shape = state_shapes(kind, cfg, B)
    leaves = {"x": torch.randn(x_shape)}
    if case["h0"]:
        leaves["h0"] = torch.randn(h_shape)
        if kind == "LSTM":
            leaves["c0"] = torch.randn(c_shape)

    def forward(m, L):
        inp = L["x"]
        if lengths is not None:
            inp = pack_padded_sequence(inp, lengths, batch_first=cfg["batch_first"], enforce_sorted=False)
        hx = None
        if "h0" in L:
            hx = (L["h0"], L["c0"]) if kind == "LSTM" else L["h0"]
        out, hn = m(inp, hx)
        if lengths is not None:
            out, _ = pad_packed_sequence(out, batch_first=cfg["batch_first"], total_length=T)
        outs = {"output": out}
        if kind == "LSTM":
            outs["h_n"], outs["c_n"] = hn
        else:
            outs["h_n"] = hn
        return outs, outs

    # loss weights have the shapes PyTorch actually returns
    with torch.no_grad():
        probe, _ = forward(copy.deepcopy(module), {k: v.clone() for k, v in leaves.items()})
    wkeys = {"output": "wo", "h_n": "wh", "c_n": "wc"}
    weights = {k: torch.randn(v.shape) for k, v in probe.items()}

    def fn(m, L):
        outs, _ = forward(m, L)
        loss = sum((outs[k] * weights[k].to(outs[k].dtype)).sum() for k in outs)
        return outs, loss

    tensors, torch_err = {}, {}
    for k, v in leaves.items():
        tensors[k] = enc(v, "f32")
    if lengths is not None:
        tensors["lengths"] = enc(lengths, "i32")
    for k, p in module.state_dict().items():
        tensors["param." + k] = enc(p, "f32")
    for k, w in weights.items():
        tensors[wkeys[k]] = enc(w, "f32")
    compare(module, leaves, fn, tensors, torch_err)
    obj = header(name, kind, cfg, batched=B is not None, has_h0=bool(case["h0"]), lengths=lengths,
                 seq_len=T, batch=B, num_directions=D, seed=seed,
                 param_names=list(module.state_dict().keys()), torch_err=torch_err, tensors=tensors)
    write_case(sub, name, obj)
    return name, torch_err


def gen_cell(case):
    name, kind, B = case["name"], case["kind"], case["B"]
    cfg = full_config(kind, case["cfg"])
    seed = seed_for(name)
    torch.manual_seed(seed)
    module = MODULES[kind](**cfg).eval()
    I, H = cfg["input_size"], cfg["hidden_size"]
    lead = () if B is None else (B,)
    leaves = {"x": torch.randn(lead + (I,))}
    if case["h0"]:
        leaves["h0"] = torch.randn(lead + (H,))
        if kind == "LSTMCell":
            leaves["c0"] = torch.randn(lead + (H,))
    weights = {"h_n": torch.randn(lead + (H,))}
    if kind == "LSTMCell":
        weights["c_n"] = torch.randn(lead + (H,))

    def fn(m, L):
        hx = None
        if "h0" in L:
            hx = (L["h0"], L["c0"]) if kind == "LSTMCell" else L["h0"]
        r = m(L["x"], hx)
        outs = {"h_n": r[0], "c_n": r[1]} if kind == "LSTMCell" else {"h_n": r}
        loss = sum((outs[k] * weights[k].to(outs[k].dtype)).sum() for k in outs)
        return outs, loss

    tensors, torch_err = {}, {}
    for k, v in leaves.items():
        tensors[k] = enc(v, "f32")
    for k, p in module.state_dict().items():
        tensors["param." + k] = enc(p, "f32")
    tensors["wh"] = enc(weights["h_n"], "f32")
    if "c_n" in weights:
        tensors["wc"] = enc(weights["c_n"], "f32")
    compare(module, leaves, fn, tensors, torch_err)
    obj = header(name, kind, cfg, batched=B is not None, has_h0=bool(case["h0"]), lengths=None,
                 batch=B, seed=seed, param_names=list(module.state_dict().keys()),
                 torch_err=torch_err, tensors=tensors)
    write_case("cell", name, obj)
    return name, torch_err


class Classifier(nn.Module):
    """Tutorial 003 model: an nn.RNN followed by nn.Linear(fc_in, 2) on the head named by `head`."""

    def __init__(self, cfg, fc_in, head, classes=2, kind="RNN"):
        super().__init__()
        self.rnn = MODULES[kind](**cfg)
        self.fc = nn.Linear(fc_in, classes)
        self.head = head

    def forward(self, x):
        out, hidden = self.rnn(x)
        if isinstance(hidden, tuple):
            hidden = hidden[0]
        if self.head == "fc(hidden[0])":
            return self.fc(hidden[0])
        if self.head == "fc(out[:, -1, :])":
            return self.fc(out[:, -1, :])
        if self.head == "fc(torch.cat((hidden[-2], hidden[-1]), dim=1))":
            return self.fc(torch.cat((hidden[-2], hidden[-1]), dim=1))
        if self.head == "fc(hidden.select(0, -1))":
            return self.fc(hidden.select(0, -1))
        raise ValueError(self.head)


def train(model0, x, labels, dtype):
    model = copy.deepcopy(model0).to(dtype)
    opt = torch.optim.Adam(model.parameters(), lr=TRAIN_LR)
    crit = nn.CrossEntropyLoss()
    xs = x.to(dtype)
    losses = []
    for _ in range(TRAIN_EPOCHS):
        opt.zero_grad()
        loss = crit(model(xs), labels)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, model


def gen_train(case):
    name = case["name"]
    cfg = full_config("RNN", case["cfg"])
    seed = seed_for("train_" + name)
    torch.manual_seed(seed)
    x = torch.randn(3, 6, 5)
    labels = torch.tensor([0, 1, 0])
    model = Classifier(cfg, case["fc_in"], case["head"]).eval()
    losses32, m32 = train(model, x, labels, F32)
    losses64, m64 = train(model, x, labels, F64)
    tensors = {"x": enc(x, "f32"), "labels": enc(labels, "i32")}
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
    obj = header(name, "train", cfg, fc={"in_features": case["fc_in"], "out_features": 2},
                 head=case["head"], optimizer="Adam", lr=TRAIN_LR, betas=[0.9, 0.999], eps=1e-8,
                 epochs=TRAIN_EPOCHS, loss="CrossEntropyLoss", seed=seed,
                 description="for each epoch: zero_grad; loss = CrossEntropyLoss(model(x), labels); "
                             "loss.backward(); Adam step; losses.append(loss.item()) (the pre-step loss). "
                             "losses: float32 run; losses64: same run in float64 from the same initial "
                             "weights; *.final.param.*: weights after the last step.",
                 param_names=list(model.state_dict().keys()), torch_err=torch_err, tensors=tensors)
    write_case("train", name, obj)
    return name, torch_err


def gen_graph(case):
    name, kind, T, B, classes = case["name"], case["kind"], case["T"], case["B"], case["classes"]
    cfg = full_config(kind, case["cfg"])
    seed = seed_for(name)
    torch.manual_seed(seed)
    H, D = cfg["hidden_size"], 2 if cfg["bidirectional"] else 1
    heads = {"select_ce": ("fc(hidden.select(0, -1))", H),
             "cat_ce": ("fc(torch.cat((hidden[-2], hidden[-1]), dim=1))", 2 * H),
             "last_ce": ("fc(out[:, -1, :])", D * H)}
    I = cfg["input_size"]
    x = torch.randn((B, T, I) if cfg["batch_first"] else (T, B, I))
    tensors, torch_err = {"x": enc(x, "f32")}, {}
    if case["head"] == "weighted_sum":
        module = nn.Module()
        module.rnn = MODULES[kind](**cfg)
        module.eval()
        with torch.no_grad():
            w = torch.randn(module.rnn(x)[0].shape)
        tensors["w"] = enc(w, "f32")

        def fn(m, L):
            out, hn = m.rnn(L["x"])
            loss = (out * w.to(out.dtype)).sum() + hn.sum()
            return {"loss": loss}, loss
        leaves = {"x": x}
        fc = None
    else:
        head, fc_in = heads[case["head"]]
        module = Classifier(cfg, fc_in, head, classes=classes, kind=kind).eval()
        labels = torch.randint(0, classes, (B,))
        tensors["labels"] = enc(labels, "i32")

        def fn(m, L):
            loss = F.cross_entropy(m(L["x"]), labels)
            return {"loss": loss}, loss
        leaves = {"x": x}
        fc = {"in_features": fc_in, "out_features": classes}
    for k, p in module.state_dict().items():
        tensors["param." + k] = enc(p, "f32")
    compare(module, leaves, fn, tensors, torch_err)
    extra = {"fc": fc} if fc else {}
    obj = header(name, "graph", cfg, rnn_kind=kind, description=case["description"], seq_len=T, batch=B,
                 **extra, seed=seed, param_names=list(module.state_dict().keys()),
                 torch_err=torch_err, tensors=tensors)
    write_case("graph", name, obj)
    return name, torch_err


# ----------------------------------------------------------------------------------------------

def main():
    for sub in ("rnn", "lstm", "gru", "cell", "packed", "train", "graph"):
        shutil.rmtree(os.path.join(OUT, sub), ignore_errors=True)
    summary = []
    for sub, cases in (("rnn", RNN_CASES), ("lstm", LSTM_CASES), ("gru", GRU_CASES),
                       ("packed", PACKED_CASES)):
        summary += [(sub,) + gen_module(sub, c) for c in cases]
    summary += [("cell",) + gen_cell(c) for c in CELL_CASES]
    summary += [("train",) + gen_train(c) for c in TRAIN_CASES]
    summary += [("graph",) + gen_graph(c) for c in GRAPH_CASES]
    print(f"{'case':<48} {'max torch_err':>14}  worst key")
    for sub, name, err in summary:
        key = max(err, key=err.get)
        print(f"{sub + '/' + name:<48} {err[key]:14.3e}  {key}")
    print(f"{len(summary)} cases written to {OUT}")


if __name__ == "__main__":
    main()
