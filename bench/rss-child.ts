// Child process for the memory figure: runs the streams slice in a process of its own (bundled by
// esbuild and started with plain node, as Lambda runs a bundle), so its peak RSS is the slice's and
// not the benchmark's. Prints one JSON line: peak and baseline RSS, and the bytes the runs received.
import { SLICES } from "../lib/slices/index.ts";
import { benchConfig, benchStore, type BenchTarget } from "./target.ts";
import { assertClean, timedSliceRun } from "./slice-run.ts";

export interface RssChildResult {
  /** process.resourceUsage().maxRSS after the runs, in bytes. */
  peakRssBytes: number;
  /** The same before the first run: node, the modules and their clients. */
  baselineRssBytes: number;
  /** Per run: bytes as received (compressed) and as parsed (raw JSON). */
  bytesReceived: number;
  bytesDecoded: number;
  runs: number;
}

const target = JSON.parse(process.argv[2] ?? "{}") as BenchTarget;
const runs = Number(process.argv[3] ?? "1");
const slice = SLICES.streams;
if (!slice) throw new Error("the streams slice is not registered in lib/slices/index.ts");
const config = benchConfig(target);
const store = benchStore(target);
const baselineRssBytes = process.resourceUsage().maxRSS * 1024;
let last: Awaited<ReturnType<typeof timedSliceRun>> | undefined;
for (let i = 0; i < runs; i++) {
  last = await timedSliceRun(slice, config, store);
  assertClean(last.report);
}
await store.close();
const out: RssChildResult = {
  peakRssBytes: process.resourceUsage().maxRSS * 1024,
  baselineRssBytes,
  bytesReceived: last!.report.requests.bytesReceived,
  bytesDecoded: last!.report.requests.bytesDecoded,
  runs,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
