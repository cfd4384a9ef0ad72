// PLACEHOLDER (scalar Mathf) — to be replaced by f32x4 kernels within 2 ulp.
// AssemblyScript-internal (not Wasm exports): used inside fused kernels.
// Contract: tanh4/sigmoid4 (v128 of 4 f32) give, lane by lane, the same bits as tanh1/sigmoid1.
@inline export function tanh1(x: f32): f32 { return Mathf.tanh(x); }
@inline export function sigmoid1(x: f32): f32 { return 1.0 / (1.0 + Mathf.exp(-x)); }
@inline export function tanh4(v: v128): v128 {
  return f32x4(tanh1(f32x4.extract_lane(v, 0)), tanh1(f32x4.extract_lane(v, 1)),
               tanh1(f32x4.extract_lane(v, 2)), tanh1(f32x4.extract_lane(v, 3)));
}
@inline export function sigmoid4(v: v128): v128 {
  return f32x4(sigmoid1(f32x4.extract_lane(v, 0)), sigmoid1(f32x4.extract_lane(v, 1)),
               sigmoid1(f32x4.extract_lane(v, 2)), sigmoid1(f32x4.extract_lane(v, 3)));
}
