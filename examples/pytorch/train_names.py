"""Trains the name classifier of examples/names.ts in PyTorch and saves its state_dict as safetensors,
for wasm-rnn to load unchanged (examples/pytorch/predict.ts).

    /usr/bin/python3 examples/pytorch/train_names.py                       # → checkpoints/names-pytorch.safetensors
    /usr/bin/python3 examples/pytorch/train_names.py --out m.safetensors --epochs 3 --cell lstm
    node examples/pytorch/predict.ts m.safetensors                         # same predictions in wasm-rnn

The model: nn.Embedding(V, E, padding_idx=0) → nn.GRU or nn.LSTM (batch_first, packed with the
true lengths) → nn.Linear(H, 2) on the last layer's final state. Same data, vocabulary, split and
batch order as examples/names.ts (examples/pytorch/names_data.py). Beside the model it writes
OUT.logits.json: PyTorch's logits for a list of probe names, which predict.ts compares.

The safetensors file is written by hand when the `safetensors` package is absent (the format is an
8-byte little-endian header length, a JSON header, then the raw little-endian tensors), with the
vocabulary and the architecture in `__metadata__`.
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import names_data as data  # noqa: E402

PROBES = ['alex', 'maria', 'john', 'emma', 'sasha', 'kim', 'robin', 'jo', 'zoe', 'bartholomew',
          'xyz', 'a', 'anne-marie', 'günther']


class NameClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden, cell='gru', num_layers=1):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        rnn = nn.GRU if cell == 'gru' else nn.LSTM
        self.rnn = rnn(embed_dim, hidden, num_layers=num_layers, batch_first=True)
        self.fc = nn.Linear(hidden, len(data.GENDERS))
        self.cell = cell

    def forward(self, ids, lengths):
        x = self.embedding(ids)
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
        _, state = self.rnn(packed)
        h = state[0] if self.cell == 'lstm' else state
        return self.fc(h[-1])


def save_safetensors(state_dict, path, metadata):
    """state_dict → a .safetensors file (F32, names sorted), by hand."""
    try:
        from safetensors.torch import save_file
        save_file({k: v.detach().contiguous().float() for k, v in state_dict.items()}, path, metadata=metadata)
        return
    except ImportError:
        pass
    header, chunks, offset = {'__metadata__': metadata}, [], 0
    for name in sorted(state_dict):
        t = state_dict[name].detach().contiguous().to(torch.float32).cpu()
        raw = t.numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for c in chunks:
            f.write(c)


def evaluate(model, seqs, labels, index, batch_size=512):
    model.eval()
    correct, loss_sum = 0, 0.0
    with torch.no_grad():
        for ids, lengths, y, _ in data.batches(seqs, labels, index, batch_size, None):
            logits = model(torch.tensor(ids), lengths)
            loss_sum += nn.functional.cross_entropy(logits, torch.tensor(y), reduction='sum').item()
            correct += (logits.argmax(1) == torch.tensor(y)).sum().item()
    model.train()
    return loss_sum / len(index), correct / len(index)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', default=os.path.join(data.ROOT, 'checkpoints', 'names-pytorch.safetensors'))
    p.add_argument('--cell', choices=['gru', 'lstm'], default='gru')
    p.add_argument('--embed', type=int, default=16)
    p.add_argument('--hidden', type=int, default=64)
    p.add_argument('--layers', type=int, default=1)
    p.add_argument('--epochs', type=int, default=4)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--lr', type=float, default=0.01)
    p.add_argument('--seed', type=int, default=1, help='split seed (the data order) and torch.manual_seed')
    p.add_argument('--max-batches', type=int, default=0, help='stop each epoch after this many batches (0: all)')
    p.add_argument('--threads', type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    names, labels, ambiguous, vocab = data.names_dataset()
    seqs = [vocab.encode(n) for n in names]
    train, test = data.split(len(names), 0.2, a.seed)
    print(f'{len(names)} names ({len(ambiguous)} in both lists dropped), train {len(train)}, test {len(test)}, '
          f'vocabulary {vocab.size}')
    model = NameClassifier(vocab.size, a.embed, a.hidden, a.cell, a.layers)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    t0 = time.perf_counter()
    for epoch in range(a.epochs):
        te = time.perf_counter()
        for k, (ids, lengths, y, _) in enumerate(data.batches(seqs, labels, train, a.batch, a.seed * 1000 + epoch)):
            if a.max_batches and k >= a.max_batches:
                break
            loss = nn.functional.cross_entropy(model(torch.tensor(ids), lengths), torch.tensor(y))
            opt.zero_grad()
            loss.backward()
            opt.step()
        secs = time.perf_counter() - te
        test_loss, acc = evaluate(model, seqs, labels, test)
        print(f'epoch {epoch + 1}/{a.epochs}: {secs:.2f} s, test loss {test_loss:.4f}, test accuracy {100 * acc:.1f}%')
    print(f'trained in {time.perf_counter() - t0:.1f} s (PyTorch {torch.__version__}, {a.threads} thread)')

    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    meta = {'format': 'pt', 'model': 'names', 'cell': a.cell, 'embed': str(a.embed), 'hidden': str(a.hidden),
            'layers': str(a.layers), 'classes': ','.join(data.GENDERS), 'vocab': ''.join(vocab.chars),
            'vocab_pad': 'true', 'vocab_unk': 'true'}
    save_safetensors(model.state_dict(), a.out, meta)
    model.eval()
    with torch.no_grad():
        probes = [vocab.encode(n) for n in PROBES]
        ids, lengths, _, _ = next(data.batches(probes, [0] * len(probes), list(range(len(probes))), len(probes), None))
        logits = model(torch.tensor(ids), lengths)
    with open(a.out + '.logits.json', 'w') as f:
        json.dump({'names': PROBES, 'logits': [[float(v) for v in row] for row in logits.tolist()],
                   'torch': torch.__version__}, f, indent=1)
    print(f'saved {a.out} and {a.out}.logits.json')
    for n, row in zip(PROBES, torch.softmax(logits, 1).tolist()):
        print(f'  {n:12s} {data.GENDERS[0]} {100 * row[0]:5.1f}%  {data.GENDERS[1]} {100 * row[1]:5.1f}%')


if __name__ == '__main__':
    main()
