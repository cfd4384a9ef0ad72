// Strided row gathers and scatters for Keras masks: compacting the unmasked timesteps of each
// sequence to its front, and spreading a recurrent layer's outputs back over the timesteps
// (masked steps repeat the last output) — one direction's block of columns at a time.
//
// idx: n i32 row indices; a negative index means "no row" (gather writes zeros, scatter skips it).
// Row r of src starts at src + r·src_stride floats, row i of dst at dst + i·dst_stride; each
// moves `cols` floats. The caller has checked every index. gather_rows / scatter_add_rows of
// gather.ts are the contiguous case (strides = cols).

/** dst[i·ds + k] = src[idx[i]·ss + k] for k < cols, i < n; zeros where idx[i] < 0. No overlap. */
export function gather_row_blocks(n: i32, idx: usize, src: usize, ss: i32, cols: i32, dst: usize, ds: i32): void {
  const bytes = <usize>cols << 2;
  for (let i = 0; i < n; i++) {
    const r = load<i32>(idx + (<usize>i << 2));
    const d = dst + ((<usize>i * <usize>ds) << 2);
    if (r < 0) memory.fill(d, 0, bytes);
    else memory.copy(d, src + ((<usize>r * <usize>ss) << 2), bytes);
  }
}

/**
 * dst[idx[i]·ds + k] += src[i·ss + k] for i = 0, 1, …, n − 1 in that order (repeated indices add
 * in order of appearance, so the bits are fixed); rows with idx[i] < 0 are skipped.
 */
export function scatter_add_row_blocks(n: i32, idx: usize, src: usize, ss: i32, cols: i32, dst: usize, ds: i32): void {
  for (let i = 0; i < n; i++) {
    const r = load<i32>(idx + (<usize>i << 2));
    if (r < 0) continue;
    const s = src + ((<usize>i * <usize>ss) << 2), d = dst + ((<usize>r * <usize>ds) << 2);
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
