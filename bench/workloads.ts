// The benchmark's workloads (issue 4), their FLOP counts and the published targets.

export type Mode = 'RNN' | 'LSTM' | 'GRU';
export const GATES: Record<Mode, number> = { RNN: 1, LSTM: 4, GRU: 3 };

export interface Workload {
  id: 'W1' | 'W2' | 'W3' | 'W4' | 'W5';
  title: string;
  kind: 'forward' | 'train';
  mode: Mode;
  L: number; // layers
  D: number; // directions
  B: number;
  T: number;
  I: number;
  H: number;
  /** W4/W5: classes of the Linear head */
  classes?: number;
  /** W5: train steps per measurement */
  steps?: number;
  lr?: number;
}

export const WORKLOADS: Workload[] = [
  { id: 'W1', title: 'RNN tanh 1 layer, B=1 T=256 I=32 H=128, forward', kind: 'forward', mode: 'RNN', L: 1, D: 1, B: 1, T: 256, I: 32, H: 128 },
  { id: 'W2', title: 'LSTM 2 layers bidirectional, B=32 T=64 I=64 H=128, forward', kind: 'forward', mode: 'LSTM', L: 2, D: 2, B: 32, T: 64, I: 64, H: 128 },
  { id: 'W3', title: 'GRU 1 layer, B=16 T=128 I=64 H=256, forward', kind: 'forward', mode: 'GRU', L: 1, D: 1, B: 16, T: 128, I: 64, H: 256 },
  { id: 'W4', title: 'RNN tanh 2 layers B=32 T=32 I=32 H=128 + Linear(128,10) on the last step, cross-entropy, backward, Adam(1e-3): one train step', kind: 'train', mode: 'RNN', L: 2, D: 1, B: 32, T: 32, I: 32, H: 128, classes: 10, steps: 1, lr: 1e-3 },
  { id: 'W5', title: 'tutorial 003: RNN(5→10, batchFirst) + Linear(10,2), B=3 T=6, Adam(0.01), 20 epochs per measurement', kind: 'train', mode: 'RNN', L: 1, D: 1, B: 3, T: 6, I: 5, H: 10, classes: 2, steps: 20, lr: 0.01 },
];

/** Forward FLOPs of the recurrent part: Σ over layers and directions of 2·T·B·G·H·(I_layer + H). */
export function rnnFlops(w: Workload): number {
  let f = 0;
  for (let l = 0; l < w.L; l++) {
    const inl = l === 0 ? w.I : w.H * w.D;
    f += w.D * 2 * w.T * w.B * GATES[w.mode] * w.H * (inl + w.H);
  }
  return f;
}

/**
 * FLOPs of one measured call. Forward workloads: rnnFlops. Train workloads: forward + backward
 * counted as 3 × (recurrent forward + Linear forward 2·B·H·classes), times the steps per call.
 */
export function callFlops(w: Workload): number {
  if (w.kind === 'forward') return rnnFlops(w);
  return 3 * (rnnFlops(w) + 2 * w.B * w.H * w.D * w.classes!) * w.steps!;
}

export const ENGINES = ['wasm-rnn', 'wasm-rnn-int8', 'wasm-rnn step()', 'wasm-rnn-int8 step()', 'onnxruntime-node', 'onnxruntime-web', 'tfjs-wasm', 'tfjs-cpu'] as const;
export type EngineName = (typeof ENGINES)[number];

/** Published targets (issue 4): wasm-rnn must be at least `ratio`× faster than `peer`. */
export const TARGETS: { workload: Workload['id']; peer: EngineName; ratio: number }[] = [
  { workload: 'W1', peer: 'onnxruntime-node', ratio: 1.2 },
  { workload: 'W1', peer: 'onnxruntime-web', ratio: 2.5 },
  { workload: 'W2', peer: 'onnxruntime-web', ratio: 1.15 },
  { workload: 'W3', peer: 'onnxruntime-web', ratio: 1.15 },
  { workload: 'W4', peer: 'tfjs-wasm', ratio: 15 },
  { workload: 'W5', peer: 'tfjs-cpu', ratio: 30 },
];

/**
 * Int8 targets (issue 16), on same-round ratios: the int8 path (quantize()) at least `ratio`× faster
 * than `peer` (wasm-rnn = the f32 path).
 */
export const INT8_TARGETS: { workload: Workload['id']; peer: EngineName; ratio: number }[] = [
  { workload: 'W1', peer: 'wasm-rnn', ratio: 1.3 },
  { workload: 'W2', peer: 'wasm-rnn', ratio: 1.6 },
  { workload: 'W3', peer: 'wasm-rnn', ratio: 1.6 },
  { workload: 'W2', peer: 'onnxruntime-web', ratio: 2 },
  { workload: 'W3', peer: 'onnxruntime-web', ratio: 2 },
];
