// The consumers slice's part of the report: its figures by S beside the raw fan-out and the naive
// CONSUMER.INFO loop of the same run, and its budgets.
import { memorySizeOf } from "../infra/lookout-props.ts";
import { DEFAULT_CONSUMER_ACCOUNTS_PER_PAGE } from "../lib/collect/consumers-jsz.ts";
import { at, byS, COST_S, historyAt, lineAt } from "./extrapolate.ts";
import type { SizeFigures } from "./measure-size.ts";
import type { Budget } from "./report.ts";
import { round } from "./stats.ts";

/** The consumers slice end to end (runCheck) within this multiple of the raw JSZ fan-out with consumers. */
export const CONSUMERS_FANOUT_BUDGET_RATIO = 1.5;
/** The history budget: at most this many DynamoDB items a run at HISTORY_BUDGET_CONSUMERS consumers. */
export const HISTORY_BUDGET_ITEMS = 4;
export const HISTORY_BUDGET_CONSUMERS = 20_000;

export interface ConsumersReport {
  /** Consumers the slice judged, by S (every stream's four, and the streams fill's own). */
  consumers_judged: Record<string, number>;
  /** (a) `lookout check --slice consumers` (runCheck, file history): medians. */
  consumers_check_ms: Record<string, number>;
  consumers_check_cpu_ms: Record<string, number>;
  /** (b) The JSZ request(s) the collector makes, replies parsed, nothing else. */
  consumers_raw_fanout_ms: Record<string, number>;
  consumers_raw_fanout_cpu_ms: Record<string, number>;
  /** (c) STREAM.NAMES, CONSUMER.NAMES per stream, CONSUMER.INFO per consumer. */
  consumers_naive_ms: Record<string, number>;
  consumers_naive_cpu_ms: Record<string, number>;
  /** consumers_check_ms / consumers_raw_fanout_ms, medians of the same run. */
  consumers_slice_over_raw_fanout: Record<string, number>;
  /** consumers_naive_ms / consumers_check_ms. */
  consumers_speedup_vs_naive: Record<string, number>;
  /** The slice through runSlice with DynamoDB history (moto_server), as Lambda runs it: medians. */
  consumers_slice_ms: Record<string, number>;
  consumers_slice_cpu_ms: Record<string, number>;
  consumers_nats_requests_per_run: Record<string, number>;
  consumers_raw_requests_per_run: Record<string, number>;
  consumers_naive_requests_per_run: Record<string, number>;
  consumers_nats_bytes_received_per_run: Record<string, number>;
  consumers_nats_json_bytes_per_run: Record<string, number>;
  consumers_raw_bytes_received_per_run: Record<string, number>;
  consumers_naive_bytes_received_per_run: Record<string, number>;
  consumers_ddb_items_written_per_run: Record<string, number>;
  consumers_ddb_write_units_per_run: Record<string, number>;
  consumers_ddb_read_units_per_run: Record<string, number>;
  consumers_history_bytes_per_run: Record<string, number>;
  consumers_history_json_bytes_per_run: Record<string, number>;
  consumers_findings_per_run: Record<string, number>;
  /** The consumers slice in a child process of its own: peak and baseline RSS. */
  consumers_peak_rss_bytes: Record<string, number>;
  consumers_baseline_rss_bytes: Record<string, number>;
  /** Straight line through the measured peaks, read at the cost model's S (four consumers a stream). */
  consumers_peak_rss_bytes_10000_estimate: number;
  /** The consumers slice's function memory as the construct deploys it by default. */
  consumers_function_memory_mb: number;
  /** History items a run at HISTORY_BUDGET_CONSUMERS consumers: measured where a size had that many, else estimated. */
  consumers_history_items_at_20000: number;
  consumers_history_items_at_20000_source: string;
}

/** What a run's history is at HISTORY_BUDGET_CONSUMERS consumers: measured, or read off a straight line. */
function historyAtBudget(sizes: SizeFigures[]): { items: number; source: string } {
  const kb = (b: number) => `${(b / 1e3).toFixed(1)} kB`;
  const n = (x: number) => x.toLocaleString("en-US");
  const big = sizes.find((s) => s.consumers.judged >= HISTORY_BUDGET_CONSUMERS);
  if (big) {
    const c = big.consumers;
    return {
      items: c.slice.historyItemsWritten,
      source: `measured at S=${big.streams} (${n(c.judged)} consumers, ${kb(c.slice.historyBytesWritten)} gzip)`,
    };
  }
  const points = sizes.map((s) => ({ x: s.consumers.judged, y: s.consumers.slice.historyBytesWritten }));
  const bytes = lineAt(points, HISTORY_BUDGET_CONSUMERS);
  const last = sizes.at(-1)!.consumers;
  return {
    items: historyAt(bytes).items,
    source:
      `estimated: ${kb(bytes)} gzip at ${n(HISTORY_BUDGET_CONSUMERS)} consumers on a straight line through ` +
      `${points.map((p) => `${n(p.x)} consumers: ${kb(p.y)}`).join(", ")}; ` +
      `the largest size measured wrote ${last.slice.historyItemsWritten} item(s)`,
  };
}

export function consumersReport(sizes: SizeFigures[]): ConsumersReport {
  const c = (f: (x: SizeFigures["consumers"]) => number) => byS(sizes, (s) => f(s.consumers));
  const atBudget = historyAtBudget(sizes);
  return {
    consumers_judged: c((x) => x.judged),
    consumers_check_ms: c((x) => round(x.check.wallMs)),
    consumers_check_cpu_ms: c((x) => round(x.check.cpuMs)),
    consumers_raw_fanout_ms: c((x) => round(x.raw.wallMs)),
    consumers_raw_fanout_cpu_ms: c((x) => round(x.raw.cpuMs)),
    consumers_naive_ms: c((x) => round(x.naive.wallMs)),
    consumers_naive_cpu_ms: c((x) => round(x.naive.cpuMs)),
    consumers_slice_over_raw_fanout: c((x) => round(x.check.wallMs / x.raw.wallMs, 2)),
    consumers_speedup_vs_naive: c((x) => round(x.naive.wallMs / x.check.wallMs, 1)),
    consumers_slice_ms: c((x) => round(x.slice.wallMs)),
    consumers_slice_cpu_ms: c((x) => round(x.slice.cpuMs)),
    consumers_nats_requests_per_run: c((x) => x.check.requests),
    consumers_raw_requests_per_run: c((x) => x.raw.requests),
    consumers_naive_requests_per_run: c((x) => x.naive.requests),
    consumers_nats_bytes_received_per_run: c((x) => x.check.bytesReceived),
    consumers_nats_json_bytes_per_run: c((x) => x.check.bytesDecoded),
    consumers_raw_bytes_received_per_run: c((x) => x.raw.bytesReceived),
    consumers_naive_bytes_received_per_run: c((x) => x.naive.bytesReceived),
    consumers_ddb_items_written_per_run: c((x) => x.slice.historyItemsWritten),
    consumers_ddb_write_units_per_run: c((x) => x.slice.writeUnits),
    consumers_ddb_read_units_per_run: c((x) => x.slice.readUnits),
    consumers_history_bytes_per_run: c((x) => x.slice.historyBytesWritten),
    consumers_history_json_bytes_per_run: c((x) => x.slice.historyRawBytes),
    consumers_findings_per_run: c((x) => x.check.findings),
    consumers_peak_rss_bytes: c((x) => x.rss.peakRssBytes),
    consumers_baseline_rss_bytes: c((x) => x.rss.baselineRssBytes),
    consumers_peak_rss_bytes_10000_estimate: Math.round(at(sizes, COST_S, (s) => s.consumers.rss.peakRssBytes)),
    consumers_function_memory_mb: memorySizeOf("consumers", undefined, undefined),
    consumers_history_items_at_20000: atBudget.items,
    consumers_history_items_at_20000_source: atBudget.source,
  };
}

export function consumersBudgets(sizes: SizeFigures[], r: ConsumersReport): Budget[] {
  const largest = sizes.at(-1)!;
  const L = String(largest.streams);
  const ratio = r.consumers_slice_over_raw_fanout[L] ?? Infinity;
  const requests = sizes.map((s) => s.consumers.check.requests);
  // One JSZ page per DEFAULT_CONSUMER_ACCOUNTS_PER_PAGE accounts (a full last page asks once more).
  const pages = (s: SizeFigures) => Math.floor(s.accounts / DEFAULT_CONSUMER_ACCOUNTS_PER_PAGE) + 1;
  return [
    {
      name: "NATS requests per consumers run (system mode)",
      budget: `independent of the consumer count: the same at every S, <= one JSZ page per ${DEFAULT_CONSUMER_ACCOUNTS_PER_PAGE} accounts`,
      measured: sizes
        .map(
          (s) =>
            `S=${s.streams} (${s.consumers.judged} consumers): ${s.consumers.check.requests} (naive ${s.consumers.naive.requests})`,
        )
        .join(", "),
      met: new Set(requests).size === 1 && sizes.every((s) => s.consumers.check.requests <= pages(s)),
    },
    {
      name: `DynamoDB items written per consumers run at ${HISTORY_BUDGET_CONSUMERS.toLocaleString("en-US")} consumers`,
      budget: `<= ${HISTORY_BUDGET_ITEMS}`,
      measured: `${r.consumers_history_items_at_20000} (${r.consumers_history_items_at_20000_source})`,
      met: r.consumers_history_items_at_20000 <= HISTORY_BUDGET_ITEMS,
    },
    {
      name: `consumers slice through runCheck vs the raw JSZ fan-out with consumers, S=${L} (${largest.consumers.judged} consumers), same run`,
      budget: `<= ${CONSUMERS_FANOUT_BUDGET_RATIO}x`,
      measured: `${ratio}x (${round(largest.consumers.check.wallMs, 0)} ms vs ${round(largest.consumers.raw.wallMs, 0)} ms)`,
      met: ratio <= CONSUMERS_FANOUT_BUDGET_RATIO,
    },
  ];
}
