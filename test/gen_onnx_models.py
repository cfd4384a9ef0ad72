"""Writes the whole-model ONNX fixtures of test/onnx-model.test.ts into test/vectors/onnx/models/.

Run from the repository root with PyTorch 1.13:  /usr/bin/python3 test/gen_onnx_models.py

Every file is what torch.onnx.export writes for a small text model (eval mode, constant folding on):
  Embedding -> RNN / LSTM / GRU (1-3 layers, bidirectional or not, batch_first or not, dropout between
  layers) -> Linear (-> Softmax / LogSoftmax), dynamic batch and time axes, PyTorch's default opset (14);
plus variants: other opsets (9, 11, 13, 15, 17), a fixed-shape export, a last-step head (Gemm), h_n
heads, several graph outputs, a plain LSTM -> Linear with float input, nested module names, an MLP head.
The tests compute reference outputs with onnxruntime-node at run time; only the models are stored.

The rejected/ files are real exports edited with the `onnx` package: one unsupported operator or
attribute each (what the importer must refuse, naming the node and the attribute).

manifest.json: per file the input name, dtype and test shapes, output names, the initializers
(name, dims, data type), and the PyTorch state_dict: key -> [shape, sum, weighted sum (weights 1..7
cycling, order-sensitive)], in float64.
Weights come from torch's generator seeded by the file name: reruns give identical files.
"""
import io
import json
import os
import warnings
import zlib

import onnx
import torch
from onnx import helper, numpy_helper

warnings.filterwarnings('ignore')
torch.set_num_threads(1)
nn = torch.nn
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'vectors', 'onnx', 'models')
VOCAB, EMB, HID, NOUT = 20, 6, 5, 3
manifest = []


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))


CELLS = {'RNN': nn.RNN, 'LSTM': nn.LSTM, 'GRU': nn.GRU}


class TextModel(nn.Module):
    """Embedding -> recurrent -> Linear, with a choice of heads and outputs."""

    def __init__(self, cell, layers=1, bidir=False, bf=False, head=None, out='logits', emb=True, softmax_dim=-1,
                 hidden=HID, emb_dim=EMB, vocab=VOCAB, nout=NOUT, dropout=0.1, fc_bias=True, mlp=False):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb_dim) if emb else None
        self.rnn = CELLS[cell](emb_dim, hidden, num_layers=layers, bidirectional=bidir, batch_first=bf,
                               dropout=dropout if layers > 1 else 0.0)
        d = hidden * (2 if bidir and out != 'h_last' else 1)
        if mlp:
            self.fc1 = nn.Linear(d, d)
        self.fc = nn.Linear(d, nout, bias=fc_bias)
        self.cell, self.bf, self.head, self.out, self.softmax_dim, self.mlp = cell, bf, head, out, softmax_dim, mlp

    def forward(self, x):
        if self.emb is not None:
            x = self.emb(x)
        y, state = self.rnn(x)
        h = state[0] if self.cell == 'LSTM' else state
        if self.out == 'last':               # the last time step of the output sequence
            z = self.fc(y[:, -1] if self.bf else y[-1])
        elif self.out == 'h_last':           # the last layer's final hidden state
            z = self.fc(h[-1])
        else:
            z = self.fc(torch.tanh(self.fc1(y)) if self.mlp else y)
        if self.head == 'softmax':
            z = torch.softmax(z, self.softmax_dim)
        elif self.head == 'logsoftmax':
            z = torch.log_softmax(z, self.softmax_dim)
        if self.out == 'all':
            return (z, state[0], state[1]) if self.cell == 'LSTM' else (z, state)
        return z


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.rnn = nn.GRU(EMB, HID, num_layers=2, batch_first=True)

    def forward(self, x):
        return self.rnn(self.emb(x))[0]


class Nested(nn.Module):
    """Nested submodules: state_dict keys encoder.emb.weight, encoder.rnn.*, head.weight."""

    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.head = nn.Linear(HID, NOUT)

    def forward(self, x):
        return self.head(self.encoder(x))


class TimeMajorFromBatchFirst(nn.Module):
    """Batch-first integer input transposed before the Embedding (a Transpose of the indices)."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.rnn = nn.LSTM(EMB, HID)
        self.fc = nn.Linear(HID, NOUT)

    def forward(self, x):
        y, _ = self.rnn(self.emb(x.t()))
        return self.fc(y).transpose(0, 1)


class Pick(nn.Module):
    """Logits at three time steps: a Gather with 1-D indices on the time axis of a float tensor."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.rnn = nn.GRU(EMB, HID, batch_first=True)
        self.fc = nn.Linear(HID, NOUT)

    def forward(self, x):
        z = self.fc(self.rnn(self.emb(x))[0])
        return z[:, [3, 0, -1]]


def signature(sd):
    out = {}
    for k, v in sd.items():
        f = v.detach().double().flatten()
        w = (torch.arange(f.numel(), dtype=torch.float64) % 7) + 1
        out[k] = [list(v.shape), float(f.sum()), float((f * w).sum())]
    return out


def export(name, make, shapes, int_input=True, opset=None, dynamic=True, note='', outputs=None, check=True):
    seed(name)
    model = make().eval()
    shape = shapes[0]
    x = torch.randint(0, VOCAB, shape) if int_input else torch.randn(*shape)
    with torch.no_grad():
        ref = model(x)
    n_out = len(ref) if isinstance(ref, tuple) else 1
    outputs = outputs or (['y'] + ['out%d' % i for i in range(1, n_out)])
    f = io.BytesIO()
    kw = {} if opset is None else {'opset_version': opset}
    axes = {'x': {0: 'd0', 1: 'd1'}} if dynamic else None
    torch.onnx.export(model, (x,), f, input_names=['x'], output_names=outputs, dynamic_axes=axes,
                      do_constant_folding=True, **kw)
    data = f.getvalue()
    with open(os.path.join(OUT, name), 'wb') as fh:
        fh.write(data)
    m = onnx.load_from_string(data)
    if check:
        onnx.checker.check_model(m)
    manifest.append({
        'file': name, 'input': 'x', 'dtype': 'int64' if int_input else 'float32',
        'shapes': [list(s) for s in shapes] if dynamic else [list(shape)], 'outputs': outputs,
        'opset': m.opset_import[0].version, 'ops': sorted({n.op_type for n in m.graph.node}),
        'state_dict': signature(model.state_dict()), 'note': note,
        'initializers': [[i.name, list(i.dims), i.data_type] for i in m.graph.initializer],
    })
    return m


def variant(name, base, edit, note):
    """A stored export with one edit that onnxruntime still runs (its manifest entry is the base's)."""
    m = onnx.load(os.path.join(OUT, base))
    edit(m)
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(OUT, name))
    e = dict(next(e for e in manifest if e['file'] == base))
    e.update({'file': name, 'base': base, 'note': note})
    manifest.append(e)


def with_lengths(op):
    """An edit: every `op` node reads a new int32 graph input `lens` as sequence_lens."""
    def edit(m):
        for n in m.graph.node:
            if n.op_type == op:
                n.input[4] = 'lens'
        m.graph.input.append(helper.make_tensor_value_info('lens', onnx.TensorProto.INT32, ['batch']))
    return edit


def reject(name, base, edit, error, note):
    """A copy of a stored export with one edit; `error`: fragments the RnnError must contain."""
    m = onnx.load(os.path.join(OUT, base))
    edit(m)
    os.makedirs(os.path.join(OUT, 'rejected'), exist_ok=True)
    onnx.save(m, os.path.join(OUT, 'rejected', name))
    manifest.append({'file': 'rejected/' + name, 'base': base, 'error': error, 'note': note})


def node_of(m, op, k=0):
    return [n for n in m.graph.node if n.op_type == op][k]


def set_attr(n, name, value):
    for a in list(n.attribute):
        if a.name == name:
            n.attribute.remove(a)
    n.attribute.append(helper.make_attribute(name, value))


def add_const(m, name, array):
    m.graph.initializer.append(numpy_helper.from_array(array, name))


def main():
    os.makedirs(OUT, exist_ok=True)
    tm, bf_shapes = [(5, 3), (7, 2)], [(3, 5), (2, 7)]
    heads = [None, 'softmax', 'logsoftmax']
    k = 0
    for cell in ['RNN', 'LSTM', 'GRU']:
        for layers in [1, 2, 3]:
            for bidir in [False, True]:
                for bf in [False, True]:
                    head = heads[k % 3]
                    k += 1
                    name = '%s_l%d%s%s%s.onnx' % (cell.lower(), layers, '_bidir' if bidir else '', '_bf' if bf else '',
                                                   '_' + head if head else '')
                    export(name, lambda: TextModel(cell, layers, bidir, bf, head), bf_shapes if bf else tm,
                           note='Embedding -> %s(layers=%d, bidirectional=%s, batch_first=%s) -> Linear%s'
                                % (cell, layers, bidir, bf, ' -> ' + head if head else ''))
    # the model of issue 13
    export('issue13_lstm.onnx', lambda: TextModel('LSTM', 2, False, True, None, emb_dim=16, hidden=32, vocab=30, nout=4, dropout=0.2),
           [(3, 5), (2, 7)], note='Embedding(30, 16) -> LSTM(16, 32, num_layers=2, dropout=0.2, batch_first=True) -> Linear(32, 4)')
    # other opsets (Unsqueeze/Squeeze/Slice with attributes before 13, Softmax's 2-D coercion before 13)
    for opset in [9, 11, 13, 15, 17]:
        export('lstm_l2_bidir_bf_softmax_opset%d.onnx' % opset, lambda: TextModel('LSTM', 2, True, True, 'softmax'),
               bf_shapes, opset=opset, note='opset %d' % opset)
    export('gru_l2_softmax_dim1_opset11.onnx', lambda: TextModel('GRU', 2, False, False, 'softmax', softmax_dim=1),
           tm, opset=11, note='softmax over dim 1 (not the last) at opset 11: Transposes around Softmax')
    export('gru_l1_logsoftmax_dim1.onnx', lambda: TextModel('GRU', 1, True, True, 'logsoftmax', softmax_dim=1),
           bf_shapes, note='log_softmax over dim 1 at opset 14')
    # fixed shapes (no dynamic_axes: constant initial states, the shape the graph declares)
    export('gru_l2_bf_static.onnx', lambda: TextModel('GRU', 2, False, True, None), [(3, 5)], dynamic=False,
           note='no dynamic axes: the input shape is fixed')
    export('rnn_l1_static.onnx', lambda: TextModel('RNN', 1, True, False, 'softmax'), [(5, 3)], dynamic=False,
           note='no dynamic axes, time-major, bidirectional')
    # heads on one time step / on h_n: Gather or Slice + Squeeze, then Gemm
    export('lstm_l2_bf_last.onnx', lambda: TextModel('LSTM', 2, False, True, 'logsoftmax', out='last'), bf_shapes,
           note='fc(y[:, -1]): Gather(axis 1) + Gemm')
    export('gru_l3_bidir_last.onnx', lambda: TextModel('GRU', 3, True, False, None, out='last'), tm,
           note='fc(y[-1]), time-major, bidirectional')
    export('lstm_l2_hlast_opset9.onnx', lambda: TextModel('LSTM', 2, False, False, 'softmax', out='h_last'), tm, opset=9,
           note='fc(h_n[-1]) at opset 9: Concat of Y_h, Slice (attributes), Squeeze, Gemm')
    export('rnn_l2_bidir_bf_hlast.onnx', lambda: TextModel('RNN', 2, True, True, None, out='h_last', hidden=6), bf_shapes,
           note='fc(h_n[-1]) with a bidirectional RNN (h_n[-1] is the last layer\'s reverse direction)')
    # several outputs
    export('lstm_l2_bidir_all.onnx', lambda: TextModel('LSTM', 2, True, False, None, out='all'), tm,
           outputs=['y', 'h_n', 'c_n'], note='outputs logits, h_n, c_n')
    export('gru_l1_bf_all.onnx', lambda: TextModel('GRU', 1, False, True, 'softmax', out='all'), bf_shapes,
           outputs=['y', 'h_n'], note='outputs probabilities, h_n')
    # no embedding: float input
    export('lstm_linear_bf.onnx', lambda: TextModel('LSTM', 2, False, True, None, emb=False), [(3, 5, EMB), (2, 7, EMB)],
           int_input=False, note='LSTM(batch_first, 2 layers) -> Linear, float input, no Embedding')
    export('gru_linear.onnx', lambda: TextModel('GRU', 1, True, False, 'logsoftmax', emb=False), [(5, 3, EMB), (4, 1, EMB)],
           int_input=False, note='bidirectional GRU -> Linear -> LogSoftmax, float input')
    # names and heads
    export('nested_gru.onnx', Nested, bf_shapes, note='nested submodules: encoder.emb, encoder.rnn, head')
    export('lstm_tm_from_bf.onnx', TimeMajorFromBatchFirst, bf_shapes,
           note='batch-first indices transposed (x.t()) before a time-major LSTM, output transposed back')
    export('gru_l2_bidir_mlp.onnx', lambda: TextModel('GRU', 2, True, True, 'softmax', mlp=True), bf_shapes,
           note='Linear -> Tanh -> Linear head')
    export('gru_l1_bf_pick.onnx', lambda: Pick(), bf_shapes, note='fc(y)[:, [3, 0, -1]]: Gather of a float tensor, 1-D indices, axis 1')
    export('rnn_l1_nobias_fc.onnx', lambda: TextModel('RNN', 1, False, True, None, fc_bias=False), bf_shapes,
           note='Linear(bias=False): MatMul alone')

    # sequence_lens (padding): every layer reads the lengths
    variant('gru_l2_bf_lens.onnx', 'gru_l2_bf_logsoftmax.onnx', with_lengths('GRU'), 'sequence_lens on both GRU layers, batch first')
    variant('lstm_l2_bidir_all_lens.onnx', 'lstm_l2_bidir_all.onnx', with_lengths('LSTM'), 'sequence_lens on both bidirectional LSTM layers')
    # Softmax before opset 13 on axis 1 of a 3-D tensor: over the flattened dims [1, 3) (PyTorch
    # transposes instead, but other exporters write it)
    variant('lstm_softmax_axis1_opset11.onnx', 'lstm_l2_bidir_bf_softmax_opset11.onnx',
            lambda m: set_attr(node_of(m, 'Softmax'), 'axis', 1), 'opset-11 Softmax(axis=1) of a 3-D tensor: the 2-D coercion')

    # ---------------------------------------------------------------- rejected
    import numpy as np
    base = 'lstm_l2_bf_logsoftmax.onnx'
    reject('lstm_input_forget.onnx', base, lambda m: set_attr(node_of(m, 'LSTM'), 'input_forget', 1),
           ['/rnn/LSTM', 'input_forget'], 'LSTM input_forget = 1')

    def peephole(m):
        n = node_of(m, 'LSTM')
        H = HID
        add_const(m, 'peepholes', np.full((1, 3 * H), 0.5, np.float32))
        while len(n.input) < 8:
            n.input.append('')
        n.input[7] = 'peepholes'
    reject('lstm_peephole.onnx', base, peephole, ['/rnn/LSTM', 'P (peepholes)', '0.5'], 'LSTM peepholes P')
    reject('lstm_clip.onnx', base, lambda m: set_attr(node_of(m, 'LSTM', 1), 'clip', 3.0),
           ['/rnn/LSTM_1', 'clip', '3'], 'LSTM clip on the second layer')
    reject('gru_activations.onnx', 'gru_l1_bf_all.onnx',
           lambda m: set_attr(node_of(m, 'GRU'), 'activations', ['Sigmoid', 'Relu']),
           ['/rnn/GRU', 'activations', 'Relu'], 'GRU with a Relu candidate activation')
    reject('rnn_activation_alpha.onnx', 'rnn_l1_static.onnx',
           lambda m: (set_attr(node_of(m, 'RNN'), 'activations', ['LeakyRelu', 'LeakyRelu']),
                      set_attr(node_of(m, 'RNN'), 'activation_alpha', [0.1, 0.1])),
           ['/rnn/RNN', 'activation_alpha', 'LeakyRelu'], 'RNN LeakyRelu(alpha)')
    reject('gather_axis1.onnx', base, lambda m: set_attr(node_of(m, 'Gather'), 'axis', 1),
           ['/emb/Gather', 'Gather', 'axis', '1'], 'Gather on axis 1 of the embedding weight')
    reject('softmax_unknown_attr.onnx', 'gru_l1_bf_all.onnx', lambda m: set_attr(node_of(m, 'Softmax'), 'temperature', 2.0),
           ['/Softmax', 'Softmax', 'temperature'], 'an attribute the importer does not know')
    reject('gemm_transA.onnx', 'lstm_l2_bf_last.onnx', lambda m: set_attr(node_of(m, 'Gemm'), 'transA', 1),
           ['Gemm', 'transA', '1'], 'Gemm transA = 1 (a Linear reads its input untransposed)')

    def unsupported_op(m):
        n = node_of(m, 'Softmax')
        n.op_type = 'Hardmax'
    reject('unsupported_op.onnx', 'gru_l1_bf_all.onnx', unsupported_op, ['/Softmax', 'Hardmax'], 'an operator the importer does not run')

    def custom_domain(m):
        n = node_of(m, 'Softmax')
        n.domain = 'com.microsoft'
        m.opset_import.append(helper.make_opsetid('com.microsoft', 1))
    reject('custom_domain.onnx', 'gru_l1_bf_all.onnx', custom_domain, ['/Softmax', 'com.microsoft'], 'an operator of another domain')

    def slice_step(m):
        n = [n for n in m.graph.node if n.op_type == 'Slice'][0]
        add_const(m, 'minus_one', np.array([-1], np.int64))
        while len(n.input) < 5:
            n.input.append('')
        n.input[4] = 'minus_one'
    reject('slice_negative_step.onnx', 'lstm_l2_bidir_all.onnx', slice_step, ['Slice', 'steps', '-1'], 'Slice with a negative step')

    def reverse_lens(m):
        add_const(m, 'lens', np.array([5, 3], np.int32))
        n = node_of(m, 'LSTM')
        while len(n.input) < 5:
            n.input.append('')
        n.input[4] = 'lens'
    reject('lstm_reverse_sequence_lens.onnx', '../lstm_reverse.onnx', reverse_lens, ['LSTM node', 'sequence_lens', 'reverse'],
           'sequence_lens on a direction="reverse" node')

    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        head = {'torch_version': torch.__version__, 'onnx_version': onnx.__version__}
        f.write(json.dumps(head)[:-1] + ', "files": [\n')
        f.write(',\n'.join(json.dumps(e, separators=(',', ':')) for e in manifest))   # one line per file
        f.write('\n]}\n')
    print('wrote %d files to %s' % (len(manifest), OUT))


if __name__ == '__main__':
    main()
