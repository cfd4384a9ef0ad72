// Run by limits.test.ts in a child process, because it grows the Wasm memory to its 4 GiB maximum
// (address space only: the blocks it reserves are never written, so the process stays small).
// Prints one line: RESULT {json}.
//
// 1. Tensors placed above 2 GiB (addresses that read as negative i32) compute the same bits as below.
// 2. With memory full: a factory, a module constructor, an evicted tensor coming back and a
//    kernel's scratch each fail with an RnnError; memoryStats() stays unsigned above 2 GiB; the
//    failed kernel's scratch is freed again (nothing leaks).
// 3. Once memory is freed, everything works again and a known-good model gives the same bits.
const lib = await import(new URL('../dist/index.js', import.meta.url).href);
await lib.init();
const e = lib._internal.exports();
const out = {};
const bits = (a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const outcome = (fn) => {
  try { fn(); return { ok: true }; } catch (err) { return { ok: false, rnn: err instanceof lib.RnnError, name: err?.name, message: String(err?.message) }; }
};

/** A small training step touching the paths that index Wasm memory from JS (reads, sums, losses, step()). */
function workload() {
  lib.manualSeed(5);
  const m = new lib.LSTM(3, 6, { numLayers: 2 }), fc = new lib.Linear(6, 3);
  const x = lib.randn([4, 2, 3], { requiresGrad: true });
  const [o] = m.forward(x, null, { lengths: [4, 3] });
  const loss = lib.crossEntropy(fc.forward(o.select(0, -1)), [0, 2]);
  loss.backward();
  const st = m.step(new Float32Array(6).fill(0.5));
  return {
    ptr: m.parameters()[0].ptr,
    bits: [loss.item(), o.sum().item(), ...x.grad.toFloat32Array(), ...m.parameters()[0].grad.toFloat32Array(), ...st.output],
  };
}

const low = workload();
const raw = [];
let p;
while (raw.length < 9 && (p = e.alloc(2 ** 28 - 16))) raw.push(p);   // 2.25 GiB, never written
const high = workload();
out.high = { lowPtr: low.ptr, highPtr: high.ptr, same: JSON.stringify(bits(new Float32Array(low.bits))) === JSON.stringify(bits(new Float32Array(high.bits))) };

// a known-good model, a Linear whose forward needs 4 MiB of kernel scratch (its transposed weight),
// and a GRU whose backward needs two 1.5 MiB scratch blocks (gru_backward's dGi, then dGh)
lib.manualSeed(3);
const good = new lib.GRU(3, 4), x = lib.randn([5, 2, 3]);
const lin = new lib.Linear(1024, 1024), xin = lib.randn([1, 1024]);
const ref = bits(good.forward(x)[0].toFloat32Array()), refLin = bits(lin.forward(xin).toFloat32Array());
const gruGrads = (m) => m.parameters().flatMap((q) => bits(q.grad.toFloat32Array()));
const seqIn = lib.randn([2048, 1, 1]), seqGrad = lib.randn([2048, 1, 64]);
lib.manualSeed(4);
const gA = new lib.GRU(1, 64);
gA.forward(seqIn)[0].backward(seqGrad);
const refGru = gruGrads(gA);
const old = lib.setMemoryBudget(0);
const evicted = lib.full([1 << 16], 7);          // 256 KiB
lib.zeros([1]);                                  // an operation: evicts `evicted` (and the rest) to JS copies
lib.setMemoryBudget(old);
lib.manualSeed(4);
const gB = new lib.GRU(1, 64);
const seqOut = gB.forward(seqIn)[0];             // recorded (its caches resident): its backward runs while memory is full

// fill the rest of the 4 GiB, down to blocks of 64 KiB
const b2 = [], b64 = [];
for (const sz of [2 ** 28, 2 ** 24, 2 ** 21, 2 ** 16]) {
  while ((p = e.alloc(sz - 16))) (sz === 2 ** 21 ? b2 : sz === 2 ** 16 ? b64 : raw).push(p);
}
out.full = lib.memoryStats();
out.factory = outcome(() => lib.zeros([1 << 20]));
out.constructor = outcome(() => new lib.Linear(512, 512));
out.evictedBack = outcome(() => evicted.add(1));  // needs its 256 KiB back in Wasm memory
for (let i = 0; i < 8; i++) e.free(b64.pop());    // room for small blocks (and lin's 4 KiB output), not for 4 MiB
let before = e.heapLiveBytes();
out.scratch = outcome(() => lin.forward(xin));
out.scratchLeak = e.heapLiveBytes() - before;     // lin's input back from JS and its output: 10 KiB
out.goodWhileFull = outcome(() => good.forward(x));
e.free(b2.pop()); e.free(b2.pop());               // room for the 512 KiB seed and gru_backward's first 1.5 MiB block, not its second
before = e.heapLiveBytes();
out.backward = outcome(() => seqOut.backward(seqGrad));
out.backwardLeak = e.heapLiveBytes() - before;    // without the rollback, the first 1.75 MiB block stays live

for (const q of [...raw, ...b2, ...b64]) e.free(q);
out.after = {
  good: JSON.stringify(bits(good.forward(x)[0].toFloat32Array())) === JSON.stringify(ref),
  lin: JSON.stringify(bits(lin.forward(xin).toFloat32Array())) === JSON.stringify(refLin),
  evicted: Array.from(evicted.add(1).toFloat32Array()).every((v) => v === 8),
  backward: outcome(() => seqOut.backward(seqGrad)),   // the graph was kept: it runs now, with the same bits
  gruGrads: null,
  zeros: outcome(() => lib.zeros([1 << 20])),          // served by splitting a freed 256 MiB block
  linear: outcome(() => new lib.Linear(512, 512)),
  stats: lib.memoryStats(),
};
out.after.gruGrads = JSON.stringify(gruGrads(gB)) === JSON.stringify(refGru);
console.log('RESULT ' + JSON.stringify(out));
