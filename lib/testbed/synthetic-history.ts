// Synthetic history content for size tests and the cost script (no test-runner imports here).

/** A small deterministic pseudo-random sequence, so large documents are the same on every run. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Observations shaped like a streams slice's: one compact record per stream. */
export function streamObservations(
  streams: number,
  seed = 1,
): { streams: Record<string, { last: number; first: number; msgs: number; mirrorActiveMs?: number }> } {
  const rnd = lcg(seed);
  const out: Record<string, { last: number; first: number; msgs: number; mirrorActiveMs?: number }> = {};
  for (let i = 0; i < streams; i++) {
    const last = Math.floor(rnd() * 1e12);
    const rec: { last: number; first: number; msgs: number; mirrorActiveMs?: number } = {
      last,
      first: Math.floor(last * rnd()),
      msgs: Math.floor(rnd() * 1e9),
    };
    if (i % 7 === 0) rec.mirrorActiveMs = Math.floor(rnd() * 5000);
    out[`ACC${i % 13}>orders-${i.toString(36)}-${Math.floor(rnd() * 1e6)}`] = rec;
  }
  return { streams: out };
}
