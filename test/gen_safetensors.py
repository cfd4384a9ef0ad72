#!/usr/bin/python3
"""Write the safetensors fixtures in test/vectors/safetensors/ (committed; the tests need no PyTorch).

Rerun from the repository root with the Python that has PyTorch (1.13):

    /usr/bin/python3 test/gen_safetensors.py

The `safetensors` Python package is not installable here, so this script writes the format itself,
following the specification in https://github.com/huggingface/safetensors (README, "Format") and the
choices of its Rust serializer, which `safetensors.torch.save_file` calls:
  * 8 bytes: N, the header length, unsigned 64-bit little-endian;
  * N bytes: compact JSON {"__metadata__": {...}?, name: {"dtype", "shape", "data_offsets"}, ...},
    padded with spaces (0x20) to a multiple of 8 bytes;
  * the data: each tensor's bytes, row-major, little-endian, in the header's order, which is the
    tensors sorted by dtype (larger dtypes first, in the Rust enum's order) and then by name.
Output is deterministic (fixed seeds, single thread): rerunning gives byte-identical files.
"""
import json
import os
import struct

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors", "safetensors")
torch.set_num_threads(1)

# dtype name, torch dtype; position in this list = order of the Rust `Dtype` enum
DTYPES = [
    ("BOOL", torch.bool), ("U8", torch.uint8), ("I8", torch.int8), ("I16", torch.int16),
    ("F16", torch.float16), ("BF16", torch.bfloat16), ("I32", torch.int32),
    ("F32", torch.float32), ("F64", torch.float64), ("I64", torch.int64),
]
NAME = {t: n for n, t in DTYPES}
RANK = {n: i for i, (n, _) in enumerate(DTYPES)}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def save_file(tensors, path, metadata=None):
    """safetensors.torch.save_file, written out."""
    order = sorted(tensors, key=lambda k: (-RANK[NAME[tensors[k].dtype]], k))
    header, blobs, pos = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = dict(sorted(metadata.items()))
    for k in order:
        t = tensors[k]
        b = tensor_bytes(t)
        header[k] = {"dtype": NAME[t.dtype], "shape": list(t.shape), "data_offsets": [pos, pos + len(b)]}
        blobs.append(b)
        pos += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def module_case(name, module, x, kwargs):
    """<name>.safetensors: the state_dict; <name>_io.safetensors: input and PyTorch's outputs."""
    module.eval()
    sd = {k: v.detach().clone() for k, v in module.state_dict().items()}
    save_file(sd, os.path.join(OUT, name + ".safetensors"), metadata={"format": "pt"})
    with torch.no_grad():
        out, state = module(x)
    io = {"x": x, "output": out}
    if isinstance(state, tuple):
        io["h_n"], io["c_n"] = state
    else:
        io["h_n"] = state
    save_file(io, os.path.join(OUT, name + "_io.safetensors"), metadata=kwargs)
    return sd


def main():
    os.makedirs(OUT, exist_ok=True)

    torch.manual_seed(1)
    lstm = nn.LSTM(5, 7, num_layers=2, batch_first=True)
    sd = module_case("lstm", lstm, torch.randn(3, 4, 5),
                     {"module": "LSTM", "input_size": "5", "hidden_size": "7", "num_layers": "2", "batch_first": "True"})
    # the same state_dict stored as F16 and as BF16, and what torch widens those to
    save_file({k: v.half() for k, v in sd.items()}, os.path.join(OUT, "lstm_f16.safetensors"))
    save_file({k: v.half().float() for k, v in sd.items()}, os.path.join(OUT, "lstm_f16_as_f32.safetensors"))
    save_file({k: v.bfloat16() for k, v in sd.items()}, os.path.join(OUT, "lstm_bf16.safetensors"))
    save_file({k: v.bfloat16().float() for k, v in sd.items()}, os.path.join(OUT, "lstm_bf16_as_f32.safetensors"))

    torch.manual_seed(2)
    gru = nn.GRU(4, 6, bidirectional=True)
    module_case("gru", gru, torch.randn(5, 2, 4),
                {"module": "GRU", "input_size": "4", "hidden_size": "6", "bidirectional": "True"})

    # conversions: a spread of bit patterns (every 16th, the subnormal and special ones), what torch
    # makes of them in f32, and f64 values with their f32 rounding; mixed dtypes in one file
    pats = sorted(set(range(0, 65536, 16)) | {1, 2, 3, 0x3ff, 0x400, 0x401, 0x7bff, 0x7c00, 0x7c01, 0x7e00,
                                             0x7fff, 0x8000, 0x8001, 0x83ff, 0xfbff, 0xfc00, 0xfe00})
    bits = torch.tensor([p - 65536 if p >= 32768 else p for p in pats], dtype=torch.int16)
    f16, bf16 = bits.view(torch.float16), bits.view(torch.bfloat16)
    g = torch.Generator().manual_seed(3)
    f64 = torch.cat([torch.randn(200, generator=g, dtype=torch.float64) * 10.0 ** torch.randint(-40, 40, (200,), generator=g),
                     torch.tensor([0.0, -0.0, 1e300, -1e300, 1e-300, 3.4028235677973366e38, 3.4028235677973362e38,
                                   1.0000000596046448, 1.0000001788139343, float("inf"), float("-inf")], dtype=torch.float64)])
    save_file({
        "f16": f16.reshape(-1, 1), "f16_as_f32": f16.float().reshape(-1, 1),
        "bf16": bf16, "bf16_as_f32": bf16.float(),
        "f64": f64, "f64_as_f32": f64.float(),
        "scalar": torch.tensor(2.5), "empty": torch.zeros(0, 3),
    }, os.path.join(OUT, "dtypes.safetensors"), metadata={"what": "dtype conversions"})

    # dtypes wasm-rnn does not read
    save_file({"steps": torch.arange(6, dtype=torch.int64).reshape(2, 3), "w": torch.ones(2)},
              os.path.join(OUT, "i64.safetensors"))
    save_file({"mask": torch.tensor([True, False, True])}, os.path.join(OUT, "bool.safetensors"))


if __name__ == "__main__":
    main()
