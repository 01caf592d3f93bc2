// Command-line options of the benchmark: `npx tsx bench/run.ts --sizes 100,1000,5000 --runs 5`.
import { parseArgs } from "node:util";
import { join } from "node:path";
import { projectRoot } from "../lib/testbed/servers.ts";

export interface BenchOptions {
  /** Stream counts S, each filled into a fresh cluster. */
  sizes: number[];
  /** Measured runs per S (after one warm-up); medians are quoted. */
  runs: number;
  /** Where the JSON report goes. */
  out: string;
  /** Fresh node processes per bundle for the initialisation median. */
  initRuns: number;
  /** Streams created at once while filling (the cluster shares two cores with other work). */
  fillConcurrency: number;
  /** Consumers created at once while giving every stream its consumers. */
  consumerFillConcurrency: number;
  /** Cluster sizes (servers) the servers slice is measured at, each on a fresh cluster without streams. */
  serverCounts: number[];
  /** Seconds of pure evaluation for the throughput figure. */
  evalSeconds: number;
  /**
   * Network round trip (ms) put between the monitor and each server for a second set of runs, of
   * both the streams slice and the naive loop (bench/delay-relay.ts); 0 skips those runs.
   */
  rttMs: number;
  /** Rounds of the CLI start-up figures (node -e 0, lookout --help, a blind check), medians. */
  cliRuns: number;
  /** "cli": measure only the CLI start-up and update that part of the report at `out` (no clusters). */
  only: "all" | "cli";
}

export const DEFAULT_RESULTS = join(projectRoot, "bench", "results", "latest.json");

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: "string", default: "100,1000,5000" },
      runs: { type: "string", default: "5" },
      out: { type: "string", default: DEFAULT_RESULTS },
      "init-runs": { type: "string", default: "7" },
      "fill-concurrency": { type: "string", default: "16" },
      "consumer-fill-concurrency": { type: "string", default: "32" },
      "server-counts": { type: "string", default: "3,9" },
      "eval-seconds": { type: "string", default: "2" },
      "rtt-ms": { type: "string", default: "1" },
      "cli-runs": { type: "string", default: "21" },
      only: { type: "string", default: "all" },
    },
    strict: true,
  });
  const int = (name: string, v: string, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  const nonNegative = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: expected a number >= 0, got ${JSON.stringify(v)}`);
    return n;
  };
  if (values.only !== "cli" && values.only !== "all")
    throw new Error(`--only: expected cli or all, got ${JSON.stringify(values.only)}`);
  const sizes = values.sizes.split(",").map((s) => int("sizes", s.trim(), 1));
  const serverCounts = values["server-counts"].split(",").map((s) => int("server-counts", s.trim(), 1));
  return {
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    runs: int("runs", values.runs, 1),
    out: values.out,
    initRuns: int("init-runs", values["init-runs"], 1),
    fillConcurrency: int("fill-concurrency", values["fill-concurrency"], 1),
    consumerFillConcurrency: int("consumer-fill-concurrency", values["consumer-fill-concurrency"], 1),
    serverCounts: [...new Set(serverCounts)].sort((a, b) => a - b),
    evalSeconds: Number(values["eval-seconds"]) > 0 ? Number(values["eval-seconds"]) : 2,
    rttMs: nonNegative("rtt-ms", values["rtt-ms"]),
    cliRuns: int("cli-runs", values["cli-runs"], 1),
    only: values.only === "cli" ? "cli" : "all",
  };
}
