"""PyTorch 1.13 (one thread) on bench/realtask.ts's two real tasks; prints one JSON line.

    /usr/bin/python3 bench/peers/torch_realtask.py '{"names": {...}, "charlm": {...}}'

names:  examples/pytorch/train_names.py's NameClassifier (Embedding → GRU, packed with the true lengths
        → Linear), the same data, split and batch order as wasm-rnn; a warm-up of `warm` batches, then
        `epochs` full training epochs timed one by one (seconds each), then the test accuracy.
charlm: Embedding → 2-layer LSTM → Linear over Moby Dick's characters (read from the npm package),
        truncated BPTT (state carried, detached), clip_grad_norm_, Adam; `warm` steps, then `steps`
        timed steps: characters per second = B·T·steps / seconds.
"""
import json
import os
import sys
import time

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'examples', 'pytorch'))
import names_data as data  # noqa: E402
from train_names import NameClassifier  # noqa: E402


def bench_names(c):
    torch.manual_seed(c['seed'])
    names, labels, _, vocab = data.names_dataset()
    seqs = [vocab.encode(n) for n in names]
    train, test = data.split(len(names), 0.2, c['seed'])
    model = NameClassifier(vocab.size, c['embed'], c['hidden'], c['cell'])
    opt = torch.optim.Adam(model.parameters(), lr=c['lr'])

    def step(ids, lengths, y):
        loss = nn.functional.cross_entropy(model(torch.tensor(ids), lengths), torch.tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()

    for k, (ids, lengths, y, _) in enumerate(data.batches(seqs, labels, train, c['batch'], 999)):
        if k >= c['warm']:
            break
        step(ids, lengths, y)
    epochs = []
    for e in range(c['epochs']):
        all_b = list(data.batches(seqs, labels, train, c['batch'], c['seed'] * 1000 + e))
        t0 = time.perf_counter()
        for ids, lengths, y, _ in all_b:
            step(ids, lengths, y)
        epochs.append(time.perf_counter() - t0)
    model.eval()
    correct = 0
    with torch.no_grad():
        for ids, lengths, y, _ in data.batches(seqs, labels, test, 2048, None):
            correct += (model(torch.tensor(ids), lengths).argmax(1) == torch.tensor(y)).sum().item()
    return {'epochSeconds': epochs, 'testAccuracy': correct / len(test)}


def bench_charlm(c):
    torch.manual_seed(c['seed'])
    root = os.path.join(data.ROOT, 'node_modules', '@stdlib', 'datasets-moby-dick', 'data')
    with open(os.path.join(root, 'file_list.json')) as f:
        files = json.load(f)
    parts = []
    for name in files:
        with open(os.path.join(root, name.replace('.txt', '.json')), encoding='utf-8') as f:
            part = json.load(f)
            if part['chapter'] != 'Contents':  # as examples/data/npm.ts mobyDickText()
                parts.append(part['text'])
    text = '\n\n'.join(parts)
    chars = sorted(set(text))
    index = {ch: i for i, ch in enumerate(chars)}
    ids = torch.tensor([index[ch] for ch in text])
    V, B, T = len(chars), c['batch'], c['bptt']
    row = (len(ids) - 1) // B
    emb = nn.Embedding(V, c['embed'])
    lstm = nn.LSTM(c['embed'], c['hidden'], num_layers=c['layers'], batch_first=True)
    fc = nn.Linear(c['hidden'], V)
    params = list(emb.parameters()) + list(lstm.parameters()) + list(fc.parameters())
    opt = torch.optim.Adam(params, lr=c['lr'])
    starts = torch.arange(B) * row
    state = None

    def step(k):
        nonlocal state
        cols = starts[:, None] + k * T + torch.arange(T)[None, :]
        x, y = ids[cols], ids[cols + 1]
        out, st = lstm(emb(x), state)
        state = tuple(s.detach() for s in st)
        loss = nn.functional.cross_entropy(fc(out).reshape(-1, V), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, c['clip'])
        opt.step()
        return loss.item()

    for k in range(c['warm']):
        step(k)
    t0 = time.perf_counter()
    for k in range(c['warm'], c['warm'] + c['steps']):
        last = step(k)
    secs = time.perf_counter() - t0
    return {'seconds': secs, 'steps': c['steps'], 'charsPerSecond': B * T * c['steps'] / secs, 'lastLoss': last}


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(1)
    out = {'version': torch.__version__, 'threads': torch.get_num_threads()}
    if 'names' in cfg:
        out['names'] = bench_names(cfg['names'])
    if 'charlm' in cfg:
        out['charlm'] = bench_charlm(cfg['charlm'])
    print(json.dumps(out))


if __name__ == '__main__':
    main()
