"""Writes the ONNX fixtures of test/onnx.test.ts into test/vectors/onnx/.

Run from the repository root with PyTorch 1.13:  /usr/bin/python3 test/gen_onnx.py

- PyTorch exports (torch.onnx.export needs no `onnx` Python package): a 2-layer tanh nn.RNN, a
  bidirectional 2-layer nn.LSTM, nn.GRU (exported with linear_before_reset=1), a batch-first GRU
  without bias, a bidirectional relu nn.RNN.
- Hand-written ModelProto bytes (no `onnx` package here, so a tiny protobuf writer below) for what
  PyTorch never emits: GRU with linear_before_reset=0, direction="reverse", layout=1, all-zero
  peepholes, and the unsupported cases the importer must reject with an RnnError.

Weights come from torch's generator seeded per file, so reruns give byte-identical files.
manifest.json lists every file with its input shape (and, for the rejected ones, what the error names).
"""
import io
import json
import os
import struct
import warnings
import zlib

import torch

warnings.filterwarnings('ignore')
torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'vectors', 'onnx')
OPSET = 14
manifest = []


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))


def write(name, data):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)


# ---------------------------------------------------------------- PyTorch exports

def export(name, module, x_shape, outputs, note):
    seed(name)
    module = module().eval()
    x = torch.randn(*x_shape)
    f = io.BytesIO()
    torch.onnx.export(module, (x,), f, input_names=['x'], output_names=outputs, opset_version=OPSET,
                      do_constant_folding=True)
    write(name, f.getvalue())
    manifest.append({'file': name, 'source': 'torch.onnx.export', 'input': 'x', 'shape': list(x_shape),
                     'outputs': outputs, 'note': note})


# ---------------------------------------------------------------- a small protobuf writer

def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(num, wire):
    return varint(num << 3 | wire)


def f_int(num, v):
    return key(num, 0) + varint(v)


def f_len(num, b):
    if isinstance(b, str):
        b = b.encode()
    return key(num, 2) + varint(len(b)) + b


def f_float(num, v):
    return key(num, 5) + struct.pack('<f', v)


FLOAT, INT64 = 1, 7


def tensor(name, t, raw=True, packed_dims=True):
    """TensorProto: float32 values as raw_data or as packed float_data."""
    t = t.detach().contiguous().float()
    dims = list(t.shape)
    b = b''
    if packed_dims:
        b += f_len(1, b''.join(varint(d) for d in dims))
    else:
        b += b''.join(f_int(1, d) for d in dims)
    b += f_int(2, FLOAT) + f_len(8, name)
    data = struct.pack('<%df' % t.numel(), *t.flatten().tolist())
    b += f_len(9, data) if raw else f_len(4, data)
    return b


def attr(name, v):
    """AttributeProto with the type field set (INT 2, FLOAT 1, STRING 3, STRINGS 8, FLOATS 6)."""
    b = f_len(1, name)
    if isinstance(v, bool) or isinstance(v, int):
        return b + f_int(3, int(v)) + f_int(20, 2)
    if isinstance(v, float):
        return b + f_float(2, v) + f_int(20, 1)
    if isinstance(v, str):
        return b + f_len(4, v) + f_int(20, 3)
    if isinstance(v, list) and all(isinstance(s, str) for s in v):
        return b + b''.join(f_len(9, s) for s in v) + f_int(20, 8)
    if isinstance(v, list):
        return b + f_len(7, struct.pack('<%df' % len(v), *v)) + f_int(20, 6)
    raise TypeError(v)


def node(op, inputs, outputs, name, attrs):
    b = b''.join(f_len(1, i) for i in inputs) + b''.join(f_len(2, o) for o in outputs)
    b += f_len(3, name) + f_len(4, op)
    b += b''.join(f_len(5, attr(k, v)) for k, v in attrs.items())
    return b


def value_info(name, shape):
    dims = b''.join(f_len(1, f_int(1, d)) for d in shape)            # Dimension { dim_value }
    tensor_type = f_int(1, FLOAT) + f_len(2, dims)                    # TypeProto.Tensor { elem_type, shape }
    return f_len(1, name) + f_len(2, f_len(1, tensor_type))           # ValueInfoProto { name, type }


def model(graph_name, nodes, inits, inputs, outputs):
    g = b''.join(f_len(1, n) for n in nodes) + f_len(2, graph_name)
    g += b''.join(f_len(5, t) for t in inits)
    g += b''.join(f_len(11, value_info(n, s)) for n, s in inputs)
    g += b''.join(f_len(12, value_info(n, s)) for n, s in outputs)
    opset = f_len(1, '') + f_int(2, OPSET)
    return f_int(1, 8) + f_len(2, 'wasm-rnn gen_onnx.py') + f_len(3, '1') + f_len(7, g) + f_len(8, opset)


GATES = {'RNN': 1, 'LSTM': 4, 'GRU': 3}


def handmade(name, op, I, H, T, B, direction='forward', layout=0, attrs=None, bias=True, peephole=None,
             raw=True, w_as_input=False, error=None, twin=None, seed_from=None, note=''):
    """One recurrent node whose outputs are the graph outputs. Weights uniform(-1/sqrt(H), 1/sqrt(H)),
    seeded by the file name (or by seed_from, for a twin with the same weights)."""
    seed(seed_from or name)
    D = 2 if direction == 'bidirectional' else 1
    G = GATES[op]
    k = H ** -0.5
    u = lambda *s: (torch.rand(*s) * 2 - 1) * k
    W, R, Bias = u(D, G * H, I), u(D, G * H, H), u(D, 2 * G * H)
    a = {'hidden_size': H}
    if direction != 'forward':
        a['direction'] = direction
    if layout:
        a['layout'] = layout
    a.update(attrs or {})
    inputs = ['X', 'W', 'R', 'B' if bias else '']
    inits = [tensor('R', R, raw)]
    if not w_as_input:
        inits.insert(0, tensor('W', W, raw, packed_dims=raw))
    if bias:
        inits.append(tensor('B', Bias, raw))
    if peephole is not None:
        inputs += ['', '', '', 'P']
        inits.append(tensor('P', torch.full((D, 3 * H), float(peephole)), raw))
    x_shape = [T, B, I] if layout == 0 else [B, T, I]
    outs = ['Y', 'Y_h'] + (['Y_c'] if op == 'LSTM' else [])
    y_shape = [T, D, B, H] if layout == 0 else [B, T, D, H]
    h_shape = [D, B, H] if layout == 0 else [B, D, H]
    g_in = [('X', x_shape)] + ([('W', [D, G * H, I])] if w_as_input else [])
    g_out = [('Y', y_shape), ('Y_h', h_shape)] + ([('Y_c', h_shape)] if op == 'LSTM' else [])
    n = node(op, [i for i in inputs], outs, name.replace('.onnx', ''), a)
    write(name, model(name.replace('.onnx', ''), [n], inits, g_in, g_out))
    manifest.append({'file': name, 'source': 'handmade', 'input': 'X', 'shape': x_shape, 'outputs': outs,
                     'op': op, 'direction': direction, 'layout': layout, 'error': error, 'twin': twin, 'note': note})


def main():
    os.makedirs(OUT, exist_ok=True)
    nn = torch.nn
    # PyTorch exports
    export('rnn_tanh_2layer.onnx', lambda: nn.RNN(3, 5, num_layers=2), (6, 2, 3), ['y', 'h'],
           'nn.RNN(3, 5, num_layers=2): two RNN nodes joined by Squeeze')
    export('lstm_bidir.onnx', lambda: nn.LSTM(3, 4, num_layers=2, bidirectional=True), (5, 2, 3), ['y', 'h', 'c'],
           'nn.LSTM(3, 4, num_layers=2, bidirectional=True): two LSTM nodes joined by Transpose + Reshape')
    export('gru.onnx', lambda: nn.GRU(3, 4), (5, 2, 3), ['y', 'h'],
           'nn.GRU(3, 4): one GRU node, linear_before_reset=1')
    export('gru_batchfirst_nobias.onnx', lambda: nn.GRU(4, 3, num_layers=2, bias=False, batch_first=True),
           (2, 5, 4), ['y', 'h'], 'nn.GRU(4, 3, num_layers=2, bias=False, batch_first=True): Transposes around the nodes, no B')
    export('rnn_relu_bidir.onnx', lambda: nn.RNN(2, 3, nonlinearity='relu', bidirectional=True), (4, 3, 2), ['y', 'h'],
           'nn.RNN(2, 3, nonlinearity="relu", bidirectional=True): activations ["Relu", "Relu"]')
    # hand-written nodes that onnxruntime runs
    handmade('gru_lbr0.onnx', 'GRU', 3, 4, 5, 2, attrs={'linear_before_reset': 0}, raw=False,
             note='GRU, linear_before_reset=0 (needs GRU resetAfter: false), float_data, unpacked dims')
    handmade('gru_lbr0_bidir.onnx', 'GRU', 2, 3, 4, 2, direction='bidirectional', attrs={'linear_before_reset': 0},
             note='bidirectional GRU, linear_before_reset=0')
    handmade('lstm_reverse.onnx', 'LSTM', 3, 4, 5, 2, direction='reverse',
             note='direction="reverse": a forward module on the time-reversed sequence')
    handmade('rnn_reverse.onnx', 'RNN', 3, 2, 4, 1, direction='reverse', attrs={'activations': ['Relu']},
             note='direction="reverse" relu RNN')
    handmade('lstm_zero_peephole.onnx', 'LSTM', 3, 4, 5, 2, peephole=0.0, attrs={'activations': ['Sigmoid', 'Tanh', 'Tanh']},
             note='explicit all-zero peepholes and explicit default activations: accepted')
    # onnxruntime's CPU kernels reject layout=1, so the reference is a layout-0 twin with the same weights
    handmade('gru_layout1.onnx', 'GRU', 3, 4, 5, 2, direction='bidirectional', layout=1, attrs={'linear_before_reset': 1},
             twin='gru_layout1_twin.onnx', note='layout=1 (batch first); onnxruntime runs the layout-0 twin')
    handmade('gru_layout1_twin.onnx', 'GRU', 3, 4, 5, 2, direction='bidirectional', attrs={'linear_before_reset': 1},
             seed_from='gru_layout1.onnx', note='layout-0 twin of gru_layout1.onnx (same weights), the reference for it')
    # what the importer rejects
    handmade('lstm_clip.onnx', 'LSTM', 3, 4, 5, 2, attrs={'clip': 1.5}, error=['clip', '1.5'], note='clip')
    handmade('lstm_peephole.onnx', 'LSTM', 3, 4, 5, 2, peephole=0.25, error=['P (peepholes)', 'all zeros', '0.25'], note='non-zero peepholes')
    handmade('lstm_input_forget.onnx', 'LSTM', 3, 4, 5, 2, attrs={'input_forget': 1}, error=['input_forget'], note='input_forget=1')
    handmade('rnn_leakyrelu.onnx', 'RNN', 3, 4, 5, 2, attrs={'activations': ['LeakyRelu'], 'activation_alpha': [0.1]},
             error=['activation_alpha', '[0.1]', 'LeakyRelu'], note='LeakyRelu with alpha')
    handmade('gru_sigmoid.onnx', 'GRU', 3, 4, 5, 2, attrs={'activations': ['Sigmoid', 'Sigmoid']},
             error=['activations', 'Sigmoid'], note='GRU with a Sigmoid candidate activation')
    handmade('gru_w_input.onnx', 'GRU', 3, 4, 5, 2, w_as_input=True, error=['input W', 'constant', 'graph input'],
             note='W fed at run time')
    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump({'torch_version': torch.__version__, 'opset': OPSET, 'files': manifest}, f, indent=1)
        f.write('\n')
    print('wrote %d files to %s' % (len(manifest), OUT))


if __name__ == '__main__':
    main()
