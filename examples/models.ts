// The name classifier shared by examples/names.ts, the playground's worker and the PyTorch round
// trip (examples/pytorch/): Embedding → GRU or LSTM (true lengths) → Linear, PyTorch's
// NameClassifier of examples/pytorch/train_names.py with the same state_dict keys:
//   embedding.weight, rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0, fc.weight, fc.bias
import { Embedding, GRU, LSTM, Linear, Module, Sequential, Tensor, loadSafetensors, safetensorsHeader, saveSafetensors } from '../dist/index.js';
import { GENDERS, Vocab, type Batch } from './data/index.js';

export interface NameClassifierConfig {
  vocab: Vocab;
  /** Embedding size E. */
  embed?: number;
  /** Hidden size H of the recurrent layer(s). */
  hidden?: number;
  cell?: 'gru' | 'lstm';
  layers?: number;
}

/** characters (B, T) padded with 0 → logits (B, 2): [male, female]. */
export class NameClassifier extends Module {
  embedding: Embedding;
  rnn: GRU | LSTM;
  fc: Linear;
  readonly vocab: Vocab;
  readonly config: Required<Omit<NameClassifierConfig, 'vocab'>>;

  constructor({ vocab, embed = 16, hidden = 64, cell = 'gru', layers = 1 }: NameClassifierConfig) {
    super();
    this.vocab = vocab;
    this.config = { embed, hidden, cell, layers };
    this.embedding = new Embedding(vocab.size, embed, { paddingIdx: 0 });
    const R = cell === 'gru' ? GRU : LSTM;
    this.rnn = new R(embed, hidden, { numLayers: layers, batchFirst: true });
    this.fc = new Linear(hidden, GENDERS.length);
  }

  /** ids: row-major (B, T) character indices, 0 after each name's end; lengths: B true lengths. */
  override forward(ids: ArrayLike<number>, shape: [number, number], lengths: ArrayLike<number>): Tensor {
    const x = this.embedding.forward(ids, shape);                    // (B, T, E)
    const [, state] = (this.rnn as GRU).forward(x, null, { lengths });  // hN at each name's own last character
    const hN = Array.isArray(state) ? state[0] : state;             // LSTM: [h, c]
    return this.fc.forward(hN.select(0, -1));                       // last layer (B, H) → (B, 2)
  }

  /** The logits of one padded batch. */
  logits(b: Batch): Tensor { return this.forward(b.ids, [b.B, b.T], b.lengths); }

  /** The checkpoint: the state_dict as safetensors, with the vocabulary and architecture in `__metadata__`. */
  save(): Uint8Array {
    const { embed, hidden, cell, layers } = this.config;
    const v = this.vocab.toJSON();
    return saveSafetensors(this.stateDict(), {
      format: 'pt', model: 'names', cell, embed: String(embed), hidden: String(hidden), layers: String(layers),
      classes: GENDERS.join(','), vocab: v.chars, vocab_pad: String(v.pad), vocab_unk: String(v.unk),
    });
  }

  /** PyTorch modules often name these layers otherwise: `emb.`/`embed.` → `embedding.`, `gru.`/`lstm.` → `rnn.`, `linear.`/`out.`/`classifier.` → `fc.`. */
  static renameKeys(sd: Record<string, Tensor>): Record<string, Tensor> {
    const alias: Record<string, string> = { emb: 'embedding', embed: 'embedding', embeddings: 'embedding', gru: 'rnn', lstm: 'rnn', linear: 'fc', out: 'fc', classifier: 'fc', head: 'fc' };
    const out: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(sd)) {
      const dot = k.indexOf('.');
      const head = dot > 0 ? k.slice(0, dot) : k;
      out[head in alias ? alias[head] + k.slice(dot) : k] = v;
    }
    return out;
  }

  /**
   * A classifier from a checkpoint written by `save()` or by examples/pytorch/train_names.py
   * (PyTorch's state_dict). Without `__metadata__` (any PyTorch state_dict with these keys), the
   * sizes are read from the shapes and the vocabulary is `fallbackVocab`.
   */
  static load(bytes: Uint8Array, fallbackVocab?: Vocab): NameClassifier {
    const meta = safetensorsHeader(bytes).metadata ?? {};
    const sd = NameClassifier.renameKeys(loadSafetensors(bytes));
    const need = (k: string) => { if (!sd[k]) throw new Error(`checkpoint: no tensor ${k} (keys: ${Object.keys(sd).join(', ')})`); return sd[k]; };
    const [V, E] = need('embedding.weight').shape;
    const H = need('rnn.weight_hh_l0').shape[1];
    const gates = need('rnn.weight_hh_l0').shape[0] / H;
    const cell = (meta.cell as 'gru' | 'lstm') ?? (gates === 4 ? 'lstm' : 'gru');
    let layers = 0;
    while (sd[`rnn.weight_ih_l${layers}`]) layers++;
    const vocab = meta.vocab !== undefined
      ? Vocab.fromJSON({ chars: meta.vocab, pad: meta.vocab_pad !== 'false', unk: meta.vocab_unk !== 'false' })
      : fallbackVocab;
    if (!vocab) throw new Error('checkpoint: no vocabulary in __metadata__ and none given');
    if (vocab.size !== V) throw new Error(`checkpoint: embedding.weight has ${V} rows, the vocabulary ${vocab.size} entries`);
    const model = new NameClassifier({ vocab, embed: E, hidden: H, cell, layers });
    model.loadStateDict(sd);
    for (const t of Object.values(sd)) t.dispose();
    return model;
  }
}

export interface CharLMConfig { vocabSize: number; embed?: number; hidden?: number; layers?: number }

/**
 * The character language model: Sequential(Embedding(V, E), LSTM(E, H, numLayers, batchFirst),
 * Linear(H, V)), PyTorch's `nn.Sequential` keys (`0.weight`, `1.weight_ih_l0`, …, `2.bias`).
 * Training calls the three modules itself to carry the LSTM state between chunks (lmForward);
 * generation streams the whole model with `step()`.
 */
export function charLM({ vocabSize, embed = 32, hidden = 128, layers = 2 }: CharLMConfig): Sequential {
  return new Sequential(new Embedding(vocabSize, embed), new LSTM(embed, hidden, { numLayers: layers, batchFirst: true }), new Linear(hidden, vocabSize));
}

/** ids (B, T) row-major, state [h, c] or null → [logits (B, T, V), [hN, cN]]. */
export function lmForward(model: Sequential, ids: ArrayLike<number>, shape: [number, number], state: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
  const x = (model.get(0) as Embedding).forward(ids, shape);
  const [out, hc] = (model.get(1) as LSTM).forward(x, state);
  return [(model.get(2) as Linear).forward(out), hc];
}

/** What a checkpoint holds besides the weights: where the stream stopped and the state carried into it. */
export interface LmCheckpoint {
  model: Sequential;
  vocab: Vocab;
  config: { embed: number; hidden: number; layers: number; batch: number; bptt: number };
  step: number;
  chunk: number;
  state: [Tensor, Tensor] | null;
}

/** The checkpoint: the Sequential's state_dict, the carried state as `bptt.h`/`bptt.c`, the rest in `__metadata__`. */
export function saveLm(c: LmCheckpoint): Uint8Array {
  const sd: Record<string, Tensor> = { ...c.model.stateDict() };
  if (c.state) { sd['bptt.h'] = c.state[0]; sd['bptt.c'] = c.state[1]; }
  const meta: Record<string, string> = { format: 'pt', model: 'charlm', vocab: c.vocab.chars.join(''), step: String(c.step), chunk: String(c.chunk) };
  for (const [k, v] of Object.entries(c.config)) meta[k] = String(v);
  return saveSafetensors(sd, meta);
}

export function loadLm(bytes: Uint8Array): LmCheckpoint {
  const meta = safetensorsHeader(bytes).metadata ?? {};
  if (meta.model !== 'charlm' || meta.vocab === undefined) throw new Error('not a character-model checkpoint (no charlm __metadata__)');
  const vocab = new Vocab(Array.from(meta.vocab));
  const config = { embed: +meta.embed, hidden: +meta.hidden, layers: +meta.layers, batch: +meta.batch, bptt: +meta.bptt };
  const sd = loadSafetensors(bytes);
  const state: [Tensor, Tensor] | null = sd['bptt.h'] ? [sd['bptt.h'], sd['bptt.c']] : null;
  delete sd['bptt.h']; delete sd['bptt.c'];
  const model = charLM({ vocabSize: vocab.size, ...config });
  model.loadStateDict(sd);
  return { model, vocab, config, step: +meta.step, chunk: +meta.chunk, state };
}
