// Row gathers and scatters by an index list: Embedding's lookup and its weight gradient, and the
// reordering of timesteps (Keras masks, ONNX Gather).
//
// idx: n i32 row indices; a negative index means "no row" (gather writes zeros, scatter skips it).
// Rows are `cols` f32 wide, contiguous (row stride = cols). The caller has checked every index.

/** dst[i, :] = src[idx[i], :] for i < n; zeros where idx[i] < 0. dst must not overlap src. */
export function gather_rows(n: i32, idx: usize, src: usize, cols: i32, dst: usize): void {
  const bytes = <usize>cols << 2;
  for (let i = 0; i < n; i++) {
    const r = load<i32>(idx + (<usize>i << 2));
    const d = dst + <usize>i * bytes;
    if (r < 0) memory.fill(d, 0, bytes);
    else memory.copy(d, src + <usize>r * bytes, bytes);
  }
}

/**
 * dst[idx[i], :] += src[i, :] for i = 0, 1, …, n − 1 in that order (a repeated index adds its
 * rows in order of appearance, so the sum's bits are fixed); rows with idx[i] < 0 are skipped.
 */
export function scatter_add_rows(n: i32, idx: usize, src: usize, cols: i32, dst: usize): void {
  const bytes = <usize>cols << 2;
  for (let i = 0; i < n; i++) {
    const r = load<i32>(idx + (<usize>i << 2));
    if (r < 0) continue;
    const s = src + <usize>i * bytes, d = dst + <usize>r * bytes;
    let k = 0;
    for (; k + 4 <= cols; k += 4) {
      const o = <usize>k << 2;
      v128.store(d + o, f32x4.add(v128.load(d + o), v128.load(s + o)));
    }
    for (; k < cols; k++) {
      const o = <usize>k << 2;
      store<f32>(d + o, load<f32>(d + o) + load<f32>(s + o));
    }
  }
}
