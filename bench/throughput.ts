// Pure check evaluation throughput on one core: the evaluation runs on the main thread alone
// (no I/O, no workers), repeated over a real collected snapshot until `seconds` have passed.
import { performance } from "node:perf_hooks";
import { median } from "./stats.ts";

export interface Throughput {
  /** Stream snapshots judged per second (median of the rounds). */
  perSecond: number;
  streamsPerCall: number;
  calls: number;
  rounds: number[];
}

export function measureThroughput(evaluate: () => unknown, streamsPerCall: number, seconds: number): Throughput {
  // Warm-up: let the JIT compile the checks before timing them.
  for (let i = 0, t = performance.now(); performance.now() - t < 300; i++) evaluate();
  const rounds: number[] = [];
  let calls = 0;
  const roundMs = Math.max(100, (seconds * 1000) / 5);
  for (let r = 0; r < 5; r++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < roundMs) {
      evaluate();
      n++;
      t = performance.now();
    }
    calls += n;
    rounds.push((n * streamsPerCall) / ((t - t0) / 1000));
  }
  return { perSecond: median(rounds), streamsPerCall, calls, rounds };
}
