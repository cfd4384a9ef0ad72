// Timing: warm-up per engine, then round-robin repetitions (one call of every engine still
// sampling per round, order rotated every round), median / min / max per engine.

export interface Engine {
  name: string;
  /** Called before every call, outside the timed region (e.g. tf.setBackend). */
  before?: () => unknown | Promise<unknown>;
  /** One measured call; must leave its result in JS (read back) and free what it allocated. */
  run: () => unknown | Promise<unknown>;
}

export interface Policy {
  /** Warm-up ends after warmCalls calls and warmMs ms, or after warmMaxMs ms (≥ 1 call). */
  warmCalls: number; warmMs: number; warmMaxMs: number;
  /** Sampling ends after minCalls calls and minMs ms of timed calls, or after enoughMs with ≥ floorCalls. */
  minCalls: number; minMs: number; enoughMs: number; floorCalls: number;
  /**
   * An engine whose warm-up call takes longer than this (TF.js cpu on W2/W3: 10–40 s a call)
   * gets that one warm-up call and one timed call, or a run would take many minutes.
   */
  slowCallMs: number;
}

export const DEFAULT_POLICY: Policy = {
  warmCalls: 10, warmMs: 300, warmMaxMs: 1000,
  minCalls: 20, minMs: 600, enoughMs: 2000, floorCalls: 3, slowCallMs: 4000,
};

export interface Stats {
  median: number; min: number; max: number; n: number; totalMs: number; warmCalls: number;
  /** every timed call (ms) and the round it ran in, for ratios of calls of the same round */
  samples: number[]; rounds: number[];
}

/**
 * Median over the rounds in which both engines ran of (a's time / b's time). Calls of one round
 * run back to back, so they see the same machine; on a host whose speed drifts over seconds this
 * is steadier than the ratio of two medians taken over different stretches of the run.
 */
export function pairedRatio(a: Stats, b: Stats): { ratio: number; pairs: number } {
  const bt = new Map<number, number>();
  b.rounds.forEach((r, i) => bt.set(r, b.samples[i]));
  const rs: number[] = [];
  a.rounds.forEach((r, i) => { const t = bt.get(r); if (t !== undefined) rs.push(a.samples[i] / t); });
  return { ratio: rs.length ? median(rs) : NaN, pairs: rs.length };
}

async function timeOnce(e: Engine, keep?: (r: unknown) => void): Promise<number> {
  if (e.before) await e.before();
  const t0 = performance.now();
  let r = e.run();
  if (r instanceof Promise) r = await r;
  const t = performance.now() - t0;
  keep?.(r);
  return t;
}

export function median(a: number[]): number {
  const s = [...a].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Stats per engine, and each engine's first result (its first warm-up call) for checks. */
export async function measure(engines: Engine[], policy: Policy = DEFAULT_POLICY,
  log: (s: string) => void = () => {}): Promise<{ stats: Map<string, Stats>; first: Map<string, unknown> }> {
  const first = new Map<string, unknown>();
  const warm = new Map<string, number>();
  const slow = new Set<string>();
  for (const e of engines) {
    const start = performance.now();
    let n = 0;
    for (;;) {
      const t = await timeOnce(e, n === 0 ? (r) => first.set(e.name, r) : undefined);
      n++;
      if (n === 1 && t > policy.slowCallMs) slow.add(e.name);
      const el = performance.now() - start;
      if ((n >= policy.warmCalls && el >= policy.warmMs) || el >= policy.warmMaxMs) break;
    }
    warm.set(e.name, n);
    log(`    warm-up ${e.name}: ${n} calls in ${(performance.now() - start).toFixed(0)} ms`);
  }
  const samples = new Map<string, number[]>(engines.map((e) => [e.name, []]));
  const rounds = new Map<string, number[]>(engines.map((e) => [e.name, []]));
  const done = (e: Engine) => {
    const s = samples.get(e.name)!;
    const t = s.reduce((a, b) => a + b, 0);
    return (s.length >= policy.minCalls && t >= policy.minMs) ||
      (t >= policy.enoughMs && (s.length >= policy.floorCalls || slow.has(e.name)));
  };
  for (let round = 0; ; round++) {
    const active = engines.filter((e) => !done(e));
    if (active.length === 0) break;
    for (let k = 0; k < active.length; k++) {
      const e = active[(k + round) % active.length];
      samples.get(e.name)!.push(await timeOnce(e));
      rounds.get(e.name)!.push(round);
    }
  }
  const out = new Map<string, Stats>();
  for (const e of engines) {
    const s = samples.get(e.name)!;
    out.set(e.name, {
      median: median(s), min: Math.min(...s), max: Math.max(...s), n: s.length,
      totalMs: s.reduce((a, b) => a + b, 0), warmCalls: warm.get(e.name)!, samples: s, rounds: rounds.get(e.name)!,
    });
  }
  return { stats: out, first };
}
