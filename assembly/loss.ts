// Losses. Sums run in f64 and are rounded once to f32.
// references: torch.nn.CrossEntropyLoss, NLLLoss, MSELoss, BCEWithLogitsLoss (PyTorch 1.13).

const NONE = 0, MEAN = 1, SUM = 2;
const NO_IGNORE: i32 = i32.MIN_VALUE;
const QNAN: f32 = reinterpret<f32>(0x7fc00000);
// a NaN made by arithmetic has a CPU-dependent sign in Wasm: write the one quiet NaN instead
@inline function canon(v: f32): f32 { return v != v ? QNAN : v; }

/**
 * Cross-entropy over N rows of C logits with class-index targets (i32), like
 * nn.CrossEntropyLoss(ignore_index, label_smoothing, reduction). A row whose target equals
 * `ignore` is skipped: loss 0, no gradient, not counted. With eps > 0 a counted row's loss is
 * (1 − eps)·(lse − x_t) + (eps / C)·Σ_c (lse − x_c), lse = log Σ_c e^(x_c) (PyTorch 1.13's formula).
 * reduction 0 'none': loss (N) per row; 1 'mean': loss[0] = Σ / count (NaN when every row is
 * ignored); 2 'sum': loss[0] = Σ. Sums in f64, rounded once. Writes the softmax of every counted
 * row to probs (N, C) for the backward. Returns the number of counted rows.
 */
export function cross_entropy_ex_forward(N: i32, C: i32, logits: usize, targets: usize, ignore: i32, eps: f64,
                                         reduction: i32, loss: usize, probs: usize): i32 {
  let total: f64 = 0, smooth: f64 = 0;
  let count = 0;
  for (let n = 0; n < N; n++) {
    const t = load<i32>(targets + (<usize>n << 2));
    if (t == ignore) {
      if (reduction == NONE) store<f32>(loss + (<usize>n << 2), 0);
      continue;
    }
    count++;
    const r = logits + (<usize>(n * C) << 2), p = probs + (<usize>(n * C) << 2);
    let m: f64 = -Infinity;
    for (let c = 0; c < C; c++) m = max(m, <f64>load<f32>(r + (<usize>c << 2)));
    let s: f64 = 0;
    for (let c = 0; c < C; c++) s += Math.exp(<f64>load<f32>(r + (<usize>c << 2)) - m);
    const lse = m + Math.log(s);
    for (let c = 0; c < C; c++) store<f32>(p + (<usize>c << 2), <f32>Math.exp(<f64>load<f32>(r + (<usize>c << 2)) - lse));
    const nll = lse - <f64>load<f32>(r + (<usize>t << 2));
    let sm: f64 = 0;
    if (eps > 0) for (let c = 0; c < C; c++) sm += lse - <f64>load<f32>(r + (<usize>c << 2));
    if (reduction == NONE) store<f32>(loss + (<usize>n << 2), canon(<f32>(eps > 0 ? (1 - eps) * nll + sm * (eps / <f64>C) : nll)));
    total += nll;
    smooth += sm;
  }
  if (reduction != NONE) {
    let v: f64 = reduction == MEAN ? total / <f64>count : total;
    if (eps > 0) v = (1 - eps) * v + (reduction == MEAN ? smooth / <f64>count : smooth) * (eps / <f64>C);
    store<f32>(loss, canon(<f32>v));
  }
  return count;
}

/**
 * dlogits (+)= k · (softmax − q) on counted rows, 0 on ignored ones (kept when accumulating):
 * q_c = 1 − eps + eps/C at the target, eps/C elsewhere (each rounded to f32); k = g/count
 * ('mean'), g ('sum') or gvec[n] ('none', gvec a pointer to N floats).
 */
export function cross_entropy_ex_backward(N: i32, C: i32, probs: usize, targets: usize, ignore: i32, eps: f64,
                                          reduction: i32, count: i32, g: f32, gvec: usize, dlogits: usize, acc: i32): void {
  const on = <f32>(1 - eps + eps / <f64>C), off = <f32>(eps / <f64>C);
  const kAll: f32 = reduction == MEAN ? g / <f32>count : g;
  for (let n = 0; n < N; n++) {
    const t = load<i32>(targets + (<usize>n << 2));
    const row = dlogits + (<usize>(n * C) << 2);
    if (t == ignore) {
      if (!acc) memory.fill(row, 0, <usize>C << 2);
      continue;
    }
    const k = reduction == NONE ? load<f32>(gvec + (<usize>n << 2)) : kAll;
    for (let c = 0; c < C; c++) {
      const i = <usize>(n * C + c) << 2;
      const v = k * (load<f32>(probs + i) - (c == t ? on : off));
      store<f32>(dlogits + i, acc ? load<f32>(dlogits + i) + v : v);
    }
  }
}

/**
 * Cross-entropy over N rows of C logits with class-index targets (i32), mean over N.
 * Writes the mean loss to loss[0] and the row softmax to probs (N, C) for the backward.
 */
export function cross_entropy_forward(N: i32, C: i32, logits: usize, targets: usize, loss: usize, probs: usize): void {
  cross_entropy_ex_forward(N, C, logits, targets, NO_IGNORE, 0, MEAN, loss, probs);
}

/** dlogits (+)= g/N · (softmax − onehot(target)). */
export function cross_entropy_backward(N: i32, C: i32, probs: usize, targets: usize, g: f32, dlogits: usize, acc: i32): void {
  cross_entropy_ex_backward(N, C, probs, targets, NO_IGNORE, 0, MEAN, N, g, 0, dlogits, acc);
}

/**
 * Negative log-likelihood of log-probabilities x (N, C) at class-index targets (i32), like
 * nn.NLLLoss(ignore_index, reduction): −x[n, t_n] per counted row (rows whose target equals
 * `ignore` give 0 and are not counted); reduction as cross_entropy_ex_forward. Returns the count.
 */
export function nll_loss_forward(N: i32, C: i32, x: usize, targets: usize, ignore: i32, reduction: i32, loss: usize): i32 {
  let total: f64 = 0;
  let count = 0;
  for (let n = 0; n < N; n++) {
    const t = load<i32>(targets + (<usize>n << 2));
    if (t == ignore) {
      if (reduction == NONE) store<f32>(loss + (<usize>n << 2), 0);
      continue;
    }
    count++;
    const v = -load<f32>(x + (<usize>(n * C + t) << 2));
    if (reduction == NONE) store<f32>(loss + (<usize>n << 2), canon(v));
    total += <f64>v;
  }
  if (reduction != NONE) store<f32>(loss, canon(<f32>(reduction == MEAN ? total / <f64>count : total)));
  return count;
}

/** dx = 0, then dx[n, t_n] = −k on counted rows (k as in cross_entropy_ex_backward). */
export function nll_loss_backward(N: i32, C: i32, targets: usize, ignore: i32, reduction: i32, count: i32,
                                  g: f32, gvec: usize, dx: usize): void {
  memory.fill(dx, 0, <usize>(N * C) << 2);
  const kAll: f32 = reduction == MEAN ? g / <f32>count : g;
  for (let n = 0; n < N; n++) {
    const t = load<i32>(targets + (<usize>n << 2));
    if (t == ignore) continue;
    const k = reduction == NONE ? load<f32>(gvec + (<usize>n << 2)) : kAll;
    store<f32>(dx + (<usize>(n * C + t) << 2), canon(-k));
  }
}

/** mean((x − y)²) over n elements. */
export function mse_forward(n: i32, x: usize, y: usize): f32 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const d = <f64>load<f32>(x + (<usize>i << 2)) - <f64>load<f32>(y + (<usize>i << 2));
    s += d * d;
  }
  return <f32>(s / <f64>n);
}

/** dx (+)= 2g/n · (x − y); dy (+)= −(same). Zero pointers skip. */
export function mse_backward(n: i32, x: usize, y: usize, g: f32, dx: usize, dy: usize, acc: i32): void {
  const k: f32 = <f32>2 * g / <f32>n;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const v = k * (load<f32>(x + o) - load<f32>(y + o));
    if (dx) store<f32>(dx + o, acc ? load<f32>(dx + o) + v : v);
    if (dy) store<f32>(dy + o, acc ? load<f32>(dy + o) - v : -v);
  }
}

/** mean(max(x, 0) − x·y + log(1 + e^(−|x|))), the stable form of BCE on logits. */
export function bce_logits_forward(n: i32, x: usize, y: usize): f32 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const a = <f64>load<f32>(x + (<usize>i << 2)), b = <f64>load<f32>(y + (<usize>i << 2));
    s += max(a, 0) - a * b + Math.log1p(Math.exp(-Math.abs(a)));
  }
  return <f32>(s / <f64>n);
}

/** dx (+)= g/n · (sigmoid(x) − y). */
export function bce_logits_backward(n: i32, x: usize, y: usize, g: f32, dx: usize, acc: i32): void {
  const k: f64 = <f64>g / <f64>n;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const a = <f64>load<f32>(x + o);
    const sg = a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a));
    const v = <f32>(k * (sg - <f64>load<f32>(y + o)));
    store<f32>(dx + o, acc ? load<f32>(dx + o) + v : v);
  }
}
