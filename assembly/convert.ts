// Conversions of stored floats to f32, for loading safetensors files (and TF.js float16 weights).
//
// src: byte pointer to n values of the source type, little-endian, any alignment (the bytes are
// copied in from a file); dst: byte pointer to n f32. src and dst must not overlap.
// Every conversion is exact where the value fits (f16 and bf16 always do) and otherwise rounds
// to nearest, ties to even (f64). NaNs keep their sign and the top bits of their payload and are
// made quiet by none of these functions except f64_to_f32, whose result is quiet by construction;
// the bits never depend on the engine or the CPU (no f32.demote_f64 on a NaN).

/**
 * dst[i] = the IEEE half-precision value src[i] (u16 bits) as f32, exactly, for i < n.
 * Normal and subnormal halves, ±0, ±inf; a NaN keeps sign and payload (mantissa << 13).
 */
export function f16_to_f32(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const h = <u32>load<u16>(src + (<usize>i << 1));
    const sign = (h & 0x8000) << 16;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    let bits: u32;
    if (e == 0) {
      // zero or subnormal: m · 2^-24, exact in f32 (m < 2^10)
      bits = m == 0 ? sign : sign | reinterpret<u32>(<f32>m * <f32>5.9604644775390625e-8);
    } else if (e == 31) {
      bits = sign | 0x7f800000 | (m << 13);
    } else {
      bits = sign | ((e + 112) << 23) | (m << 13);
    }
    store<u32>(dst + (<usize>i << 2), bits);
  }
}

/** dst[i] = the bfloat16 value src[i] (u16 bits) as f32, exactly (bits << 16), for i < n. */
export function bf16_to_f32(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    store<u32>(dst + (<usize>i << 2), (<u32>load<u16>(src + (<usize>i << 1))) << 16);
  }
}

/**
 * dst[i] = src[i] (f64) rounded to the nearest f32, ties to even, for i < n. Out of range gives
 * ±inf, as IEEE rounding does. A NaN becomes the quiet f32 NaN with the same sign and the top 22
 * bits of its payload (what x86 and ARM give, written out so every engine agrees).
 */
export function f64_to_f32(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f64>(src + (<usize>i << 3));
    let bits: u32;
    if (v != v) {
      const b = reinterpret<u64>(v);
      bits = (<u32>(b >> 32) & 0x80000000) | 0x7fc00000 | (<u32>(b >> 29) & 0x3fffff);
    } else {
      bits = reinterpret<u32>(<f32>v);
    }
    store<u32>(dst + (<usize>i << 2), bits);
  }
}
