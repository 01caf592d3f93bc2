// Child process for the memory figure: runs a slice (streams unless named) in a process of its own (bundled by
// esbuild and started with plain node, as Lambda runs a bundle), so its peak RSS is the slice's and
// not the benchmark's. Prints one JSON line: peak and baseline RSS, and the bytes the runs received.
import type { SliceName } from "../lib/core/slice-name.ts";
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
  /**
   * V8 heap in use after a forced GC (the parent starts this child with --expose-gc), before the
   * first run and after the last: what the process keeps, without the heap's growth slack that
   * peak RSS includes. Absent when gc is not exposed.
   */
  baselineHeapBytes?: number;
  retainedHeapBytes?: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
const heapAfterGc = (): number | undefined => {
  if (!gc) return undefined;
  gc();
  return process.memoryUsage().heapUsed;
};

const target = JSON.parse(process.argv[2] ?? "{}") as BenchTarget;
const runs = Number(process.argv[3] ?? "1");
const sliceName = process.argv[4] ?? "streams";
const slice = SLICES[sliceName as SliceName];
if (!slice) throw new Error(`the ${sliceName} slice is not registered in lib/slices/index.ts`);
const config = benchConfig(target);
const store = benchStore(target);
const baselineRssBytes = process.resourceUsage().maxRSS * 1024;
const baselineHeapBytes = heapAfterGc();
let last: Awaited<ReturnType<typeof timedSliceRun>> | undefined;
for (let i = 0; i < runs; i++) {
  last = await timedSliceRun(slice, config, store);
  assertClean(last.report);
}
await store.close();
const retainedHeapBytes = heapAfterGc();
const out: RssChildResult = {
  peakRssBytes: process.resourceUsage().maxRSS * 1024,
  baselineRssBytes,
  bytesReceived: last!.report.requests.bytesReceived,
  bytesDecoded: last!.report.requests.bytesDecoded,
  runs,
};
if (baselineHeapBytes !== undefined) out.baselineHeapBytes = baselineHeapBytes;
if (retainedHeapBytes !== undefined) out.retainedHeapBytes = retainedHeapBytes;
process.stdout.write(`${JSON.stringify(out)}\n`);
