// Losses with mean reduction. Sums run in f64 and are rounded once to f32.
// references: torch.nn.CrossEntropyLoss, MSELoss, BCEWithLogitsLoss (reduction='mean').

/**
 * Cross-entropy over N rows of C logits with class-index targets (i32).
 * Writes the mean loss to loss[0] and the row softmax to probs (N, C) for the backward.
 */
export function cross_entropy_forward(N: i32, C: i32, logits: usize, targets: usize, loss: usize, probs: usize): void {
  let total: f64 = 0;
  for (let n = 0; n < N; n++) {
    const r = logits + (<usize>(n * C) << 2), p = probs + (<usize>(n * C) << 2);
    let m: f64 = -Infinity;
    for (let c = 0; c < C; c++) m = max(m, <f64>load<f32>(r + (<usize>c << 2)));
    let s: f64 = 0;
    for (let c = 0; c < C; c++) s += Math.exp(<f64>load<f32>(r + (<usize>c << 2)) - m);
    const lse = m + Math.log(s);
    for (let c = 0; c < C; c++) store<f32>(p + (<usize>c << 2), <f32>Math.exp(<f64>load<f32>(r + (<usize>c << 2)) - lse));
    const t = load<i32>(targets + (<usize>n << 2));
    total += lse - <f64>load<f32>(r + (<usize>t << 2));
  }
  store<f32>(loss, <f32>(total / <f64>N));
}

/** dlogits (+)= g/N · (softmax − onehot(target)). */
export function cross_entropy_backward(N: i32, C: i32, probs: usize, targets: usize, g: f32, dlogits: usize, acc: i32): void {
  const k: f32 = g / <f32>N;
  for (let n = 0; n < N; n++) {
    const t = load<i32>(targets + (<usize>n << 2));
    for (let c = 0; c < C; c++) {
      const i = <usize>(n * C + c) << 2;
      const v = k * (load<f32>(probs + i) - (c == t ? <f32>1 : <f32>0));
      store<f32>(dlogits + i, acc ? load<f32>(dlogits + i) + v : v);
    }
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
