// The benchmark's JSON report (bench/results/latest.json): the issue's keys by S and by function,
// the cost model with its inputs and prices, the networking options, and each budget beside the
// measured figure.
import { DEFAULTS, memorySizeOf, type SliceName } from "../infra/lookout-props.ts";
import { CHUNK_BYTES } from "../lib/history/dynamodb-store.ts";
import type { BundleFigures } from "./bundles.ts";
import { cliBudget, type CliStartup } from "./cli-startup.ts";
import { runMetricSpecs } from "../infra/monitoring.ts";
import {
  lambdaMs,
  monthlyCost,
  networkingOptions,
  type CostInput,
  type CostResult,
  type NetworkOption,
} from "./cost.ts";
import { CONSUMERS_PER_STREAM } from "./fill-consumers.ts";
import type { ServersFigures } from "./measure-servers.ts";
import type { SizeFigures } from "./measure-size.ts";
import { consumersBudgets, consumersReport, type ConsumersReport } from "./report-consumers.ts";
import { serversReport, type ServersReport } from "./report-servers.ts";
import { PRICES } from "./prices.ts";
import { at, byS, COST_S, historyAt } from "./extrapolate.ts";
import { round } from "./stats.ts";
import type { Throughput } from "./throughput.ts";

const RUNS_PER_MONTH = 60 * PRICES.hoursPerMonth;
const TTL_DAYS = DEFAULTS.historyTtlDays;
/** "A few times the raw JSON": the memory budget, as a number. */
export const RSS_BUDGET_RATIO = 4;
/** The 1.5 MB bundle budget, in bytes (decimal MB: the stricter reading). */
export const BUNDLE_BUDGET_BYTES = 1_500_000;
/** The streams slice end to end (runCheck) within this multiple of the raw leader-only JSZ fan-out. */
export const FANOUT_BUDGET_RATIO = 1.5;

export interface Budget {
  name: string;
  budget: string;
  measured: string;
  met: boolean;
}

export interface BenchReport extends ConsumersReport, ServersReport {
  generated_at: string;
  machine: { cpus: number; node: string; platform: string; nats_server: string };
  options: { sizes: number[]; runs: number; init_runs: number };
  workload: Record<
    string,
    {
      streams: number;
      mirrors: number;
      consumers: number;
      accounts: string[];
      replicas: 3;
      storage: "memory";
      fill_seconds: number;
      /** Added after the streams figures, for the consumers slice's (bench/fill-consumers.ts). */
      consumer_fill: {
        consumers_per_stream: number;
        consumers: number;
        r3: number;
        r1: number;
        streams_with_pending: number;
        fill_seconds: number;
      };
    }
  >;
  speedup_vs_naive: Record<string, number>;
  /**
   * The round trip (ms) the relays added for the `*_rtt` figures (--rtt-ms; 0: not measured), and
   * the PING/PONG measured through them and on bare loopback, by S.
   */
  rtt_ms: number;
  rtt_measured_ms: Record<string, number>;
  loopback_rtt_ms: Record<string, number>;
  /** Streams slice vs naive loop, both through the relays, in the same run (by S). */
  speedup_vs_naive_rtt: Record<string, number>;
  streams_slice_rtt_ms: Record<string, number>;
  naive_rtt_ms: Record<string, number>;
  streams_slice_ms: Record<string, number>;
  streams_slice_cpu_ms: Record<string, number>;
  /** The raw leader-only JSZ fan-out (one request, replies parsed, nothing else), by S. */
  raw_fanout_ms: Record<string, number>;
  /** The streams slice through runCheck (as `lookout check` runs it), interleaved with the raw fan-out. */
  streams_check_ms: Record<string, number>;
  streams_check_cpu_ms: Record<string, number>;
  /** streams_check_ms / raw_fanout_ms, medians of the same run. */
  streams_slice_over_raw_fanout: Record<string, number>;
  naive_ms: Record<string, number>;
  meta_slice_ms: Record<string, number>;
  nats_requests_per_run: Record<string, number>;
  nats_requests_budget: Record<string, number>;
  naive_requests_per_run: Record<string, number>;
  nats_bytes_received_per_run: Record<string, number>;
  nats_json_bytes_per_run: Record<string, number>;
  meta_nats_requests_per_run: Record<string, number>;
  ddb_items_written_per_run: Record<string, number>;
  meta_ddb_items_written_per_run: Record<string, number>;
  history_bytes_per_run: Record<string, number>;
  history_json_bytes_per_run: Record<string, number>;
  ddb_write_units_per_run: Record<string, number>;
  ddb_read_units_per_run: Record<string, number>;
  ddb_units_source: string;
  findings_per_run: Record<string, number>;
  peak_rss_bytes: Record<string, number>;
  /** Straight line through the measured peaks, read at S = 10,000, beside the function's memory. */
  peak_rss_bytes_10000_estimate: number;
  /** The streams slice's function memory as the construct deploys it by default. */
  function_memory_mb: number;
  baseline_rss_bytes: Record<string, number>;
  rss_over_raw_json: Record<string, number>;
  /** V8 heap in use after a forced GC, before the first and after the last run of the RSS child (by S). */
  baseline_heap_bytes: Record<string, number>;
  retained_heap_bytes: Record<string, number>;
  bundle_bytes: Record<string, number>;
  init_ms: Record<string, number>;
  /** The compiled CLI's start-up: `lookout --help` and a blind `lookout check` against `node -e 0`. */
  cli_startup: CliStartup;
  eval_snapshots_per_sec: number;
  eval_detail: Throughput & { snapshot_streams: number };
  monthly_cost_usd_10000: number;
  cost_model: {
    assumptions: string[];
    inputs: CostInput;
    result: CostResult;
    not_in_budget: { item: string; usd_per_month: number }[];
  };
  prices: typeof PRICES;
  networking: NetworkOption[];
  budgets: Budget[];
}

export function buildReport(o: {
  sizes: SizeFigures[];
  servers: ServersFigures[];
  bundles: Record<string, BundleFigures>;
  cli: CliStartup;
  evaluation: Throughput & { snapshot_streams: number };
  runs: number;
  initRuns: number;
  natsVersion: string;
  cpus: number;
  rttMs: number;
}): BenchReport {
  const { sizes } = o;
  // Each slice priced at the memory the construct gives it when nothing is set.
  const memoryMb = (slice: SliceName) => memorySizeOf(slice, undefined, undefined);
  const largest = sizes.at(-1)!;
  const streamsWall = at(sizes, COST_S, (s) => s.streamsSlice.wallMs);
  const streamsCpu = at(sizes, COST_S, (s) => s.streamsSlice.cpuMs);
  const streamsHistory = historyAt(at(sizes, COST_S, (s) => s.streamsSlice.historyBytesWritten));
  const metaHistory = historyAt(largest.metaSlice.historyBytesWritten);
  const consumersWall = at(sizes, COST_S, (s) => s.consumers.slice.wallMs);
  const consumersCpu = at(sizes, COST_S, (s) => s.consumers.slice.cpuMs);
  const consumersHistory = historyAt(at(sizes, COST_S, (s) => s.consumers.slice.historyBytesWritten));
  // The servers slice's cost does not grow with S: priced as measured on the smallest cluster.
  const serversAt = o.servers[0];
  const serversHistory = serversAt ? historyAt(serversAt.slice.historyBytesWritten) : undefined;
  const costed = ["streams", "meta", "consumers", ...(serversAt ? ["servers"] : [])];
  const inputs: CostInput = {
    slices: [
      {
        slice: "streams",
        runsPerMonth: RUNS_PER_MONTH,
        memoryMb: memoryMb("streams"),
        lambdaMs: lambdaMs(streamsWall, streamsCpu, memoryMb("streams"), PRICES),
        writeUnitsPerRun: streamsHistory.writeUnits,
        readUnitsPerRun: streamsHistory.readUnits,
        storedBytes: streamsHistory.storedBytes,
      },
      {
        slice: "meta",
        runsPerMonth: RUNS_PER_MONTH,
        memoryMb: memoryMb("meta"),
        lambdaMs: lambdaMs(largest.metaSlice.wallMs, largest.metaSlice.cpuMs, memoryMb("meta"), PRICES),
        writeUnitsPerRun: metaHistory.writeUnits,
        readUnitsPerRun: metaHistory.readUnits,
        storedBytes: metaHistory.storedBytes,
      },
      {
        slice: "consumers",
        runsPerMonth: RUNS_PER_MONTH,
        memoryMb: memoryMb("consumers"),
        lambdaMs: lambdaMs(consumersWall, consumersCpu, memoryMb("consumers"), PRICES),
        writeUnitsPerRun: consumersHistory.writeUnits,
        readUnitsPerRun: consumersHistory.readUnits,
        storedBytes: consumersHistory.storedBytes,
      },
      ...(serversAt && serversHistory
        ? [
            {
              slice: "servers",
              runsPerMonth: RUNS_PER_MONTH,
              memoryMb: memoryMb("servers"),
              lambdaMs: lambdaMs(serversAt.slice.wallMs, serversAt.slice.cpuMs, memoryMb("servers"), PRICES),
              writeUnitsPerRun: serversHistory.writeUnits,
              readUnitsPerRun: serversHistory.readUnits,
              storedBytes: serversHistory.storedBytes,
            },
          ]
        : []),
    ],
    snsPublishesPerMonth: 1_000,
    emailPerPublish: 2,
    httpsPerPublish: 1,
    // CloudWatch as the construct deploys it by default (lib/lambda/telemetry.ts, infra/monitoring.ts):
    // the core series per slice, two alarms per slice, one dashboard, one ~2 KB log line a run.
    cloudwatch: {
      customMetricSeries: costed.reduce((n, slice) => n + runMetricSpecs("nats-lookout", slice).length, 0),
      alarms: 2 * costed.length,
      dashboards: 1,
      logGbPerMonth: (2 * 1024 * RUNS_PER_MONTH * costed.length) / 1024 ** 3,
    },
  };
  const result = monthlyCost(inputs, PRICES);
  const detailedSeries =
    costed.reduce((n, slice) => n + runMetricSpecs("nats-lookout", slice, true).length + 1, 0) -
    inputs.cloudwatch.customMetricSeries;
  const notInBudget = [
    {
      item: "Secrets Manager: 1 secret, read every 5 minutes per warm function (cached)",
      usd_per_month: PRICES.other.secretsManagerUsdPerSecretMonth,
    },
    {
      item: `detailed metrics if turned on (detailedMetrics): ${detailedSeries} more series, more while checks fire (one per check that fired)`,
      usd_per_month: detailedSeries * PRICES.other.cloudwatchUsdPerCustomMetricMonth,
    },
  ];

  const speedup = byS(sizes, (s) => round(s.naive.wallMs / s.streamsSlice.wallMs, 1));
  const withRtt = sizes.filter((s): s is SizeFigures & { rtt: NonNullable<SizeFigures["rtt"]> } => s.rtt !== undefined);
  const byRtt = (f: (r: NonNullable<SizeFigures["rtt"]>) => number): Record<string, number> =>
    Object.fromEntries(withRtt.map((s) => [String(s.streams), f(s.rtt)]));
  const speedupRtt = byRtt((r) => round(r.naive.wallMs / r.streamsSlice.wallMs, 1));
  const reqBudget = byS(sizes, (s) => s.servers + Math.ceil(s.accounts / 1024));
  const itemsWritten = byS(sizes, (s) => s.streamsSlice.historyItemsWritten);
  const rssRatio = byS(sizes, (s) => round(s.rss.peakRssBytes / Math.max(1, s.rss.bytesDecoded), 2));
  const rssDeltaRatio = (s: SizeFigures) =>
    (s.rss.peakRssBytes - s.rss.baselineRssBytes) / Math.max(1, s.rss.bytesDecoded);
  const at5000 = sizes.find((s) => s.streams === 5000) ?? largest;
  const bundleNames = Object.keys(o.bundles);
  const fmtS = (rec: Record<string, number>) =>
    Object.entries(rec)
      .map(([k, v]) => `S=${k}: ${v}`)
      .join(", ");

  const overRaw = byS(sizes, (s) => round(s.fanout.checkMs / s.fanout.rawMs, 2));
  const consumers = consumersReport(sizes);
  const budgets: Budget[] = [
    {
      name: `streams slice through runCheck vs the raw leader-only JSZ fan-out, S=${largest.streams}, same run`,
      budget: `<= ${FANOUT_BUDGET_RATIO}x`,
      measured: `${overRaw[String(largest.streams)]}x (${round(largest.fanout.checkMs, 0)} ms vs ${round(largest.fanout.rawMs, 0)} ms)`,
      met: (overRaw[String(largest.streams)] ?? Infinity) <= FANOUT_BUDGET_RATIO,
    },
    {
      name: `streams slice vs naive loop, S=${at5000.streams}, bare loopback (no network)`,
      budget: ">= 25x faster",
      measured: `${speedup[String(at5000.streams)]}x (${round(at5000.streamsSlice.wallMs, 0)} ms vs ${round(at5000.naive.wallMs, 0)} ms)`,
      met: (speedup[String(at5000.streams)] ?? 0) >= 25,
    },
    ...(at5000.rtt
      ? [
          {
            name: `streams slice vs naive loop, S=${at5000.streams}, through relays adding ${o.rttMs} ms a round trip (PING/PONG ${round(at5000.rtt.measuredRttMs, 2)} ms)`,
            budget: ">= 25x faster",
            measured: `${speedupRtt[String(at5000.streams)]}x (${round(at5000.rtt.streamsSlice.wallMs, 0)} ms vs ${round(at5000.rtt.naive.wallMs, 0)} ms)`,
            met: (speedupRtt[String(at5000.streams)] ?? 0) >= 25,
          },
        ]
      : []),
    {
      name: "NATS requests per streams run (system mode)",
      budget: "<= servers + account pages, never one per stream",
      measured: fmtS(byS(sizes, (s) => s.streamsSlice.requests)),
      met: sizes.every((s) => s.streamsSlice.requests <= reqBudget[String(s.streams)]!),
    },
    {
      name: "DynamoDB items written per streams run",
      budget: "constant in S",
      measured: fmtS(itemsWritten),
      met: new Set(Object.values(itemsWritten)).size === 1,
    },
    {
      name: `monthly AWS cost to run the checks (Lambda, DynamoDB, SNS), S=${COST_S}, every slice each minute`,
      budget: "< $5",
      measured: `$${result.runUsd.toFixed(2)}`,
      met: result.runUsd < 5,
    },
    {
      name: `monthly AWS cost with CloudWatch (${inputs.cloudwatch.customMetricSeries} metric series, ${inputs.cloudwatch.alarms} alarms, a dashboard, logs)`,
      budget: "< $5 without the dashboard (free for an account's first 3)",
      measured: `$${result.totalUsd.toFixed(2)} ($${(result.totalUsd - result.cloudwatch.dashboardsUsd).toFixed(2)} without the dashboard)`,
      met: result.totalUsd - result.cloudwatch.dashboardsUsd < 5,
    },
    ...bundleNames.map((f) => ({
      name: `bundle ${f}`,
      budget: "<= 1.5 MB minified, init <= 200 ms",
      measured: `${(o.bundles[f]!.bytes / 1e6).toFixed(2)} MB, init ${round(o.bundles[f]!.initMs, 0)} ms`,
      met: o.bundles[f]!.bytes <= BUNDLE_BUDGET_BYTES && o.bundles[f]!.initMs <= 200,
    })),
    ...consumersBudgets(sizes, consumers),
    cliBudget(o.cli),
    {
      name: "check evaluation, one core",
      budget: ">= 500,000 stream snapshots/s",
      measured: `${Math.round(o.evaluation.perSecond).toLocaleString("en-US")}/s`,
      met: o.evaluation.perSecond >= 500_000,
    },
    {
      name: `streams slice memory, S=${at5000.streams}`,
      budget: `peak RSS above baseline <= ${RSS_BUDGET_RATIO}x the raw JSON received`,
      measured: `${round(rssDeltaRatio(at5000), 2)}x (peak ${round(at5000.rss.peakRssBytes / 2 ** 20, 0)} MiB, baseline ${round(at5000.rss.baselineRssBytes / 2 ** 20, 0)} MiB, JSON ${round(at5000.rss.bytesDecoded / 2 ** 20, 1)} MiB)`,
      met: rssDeltaRatio(at5000) <= RSS_BUDGET_RATIO,
    },
  ];

  return {
    generated_at: new Date().toISOString(),
    machine: {
      cpus: o.cpus,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      nats_server: o.natsVersion,
    },
    options: { sizes: sizes.map((s) => s.streams), runs: o.runs, init_runs: o.initRuns },
    workload: Object.fromEntries(
      sizes.map((s) => [
        String(s.streams),
        {
          streams: s.fill.streams,
          mirrors: s.fill.mirrors,
          consumers: s.fill.consumers,
          accounts: s.fill.accounts,
          replicas: 3 as const,
          storage: "memory" as const,
          fill_seconds: round(s.fill.seconds, 1),
          consumer_fill: {
            consumers_per_stream: CONSUMERS_PER_STREAM,
            consumers: s.consumers.fill.consumers,
            r3: s.consumers.fill.r3,
            r1: s.consumers.fill.r1,
            streams_with_pending: s.consumers.fill.streamsWithPending,
            fill_seconds: round(s.consumers.fill.seconds, 1),
          },
        },
      ]),
    ),
    speedup_vs_naive: speedup,
    rtt_ms: withRtt.length ? o.rttMs : 0,
    rtt_measured_ms: byRtt((r) => round(r.measuredRttMs, 3)),
    loopback_rtt_ms: byRtt((r) => round(r.loopbackRttMs, 3)),
    speedup_vs_naive_rtt: speedupRtt,
    streams_slice_rtt_ms: byRtt((r) => round(r.streamsSlice.wallMs)),
    naive_rtt_ms: byRtt((r) => round(r.naive.wallMs)),
    streams_slice_ms: byS(sizes, (s) => round(s.streamsSlice.wallMs)),
    streams_slice_cpu_ms: byS(sizes, (s) => round(s.streamsSlice.cpuMs)),
    naive_ms: byS(sizes, (s) => round(s.naive.wallMs)),
    raw_fanout_ms: byS(sizes, (s) => round(s.fanout.rawMs)),
    streams_check_ms: byS(sizes, (s) => round(s.fanout.checkMs)),
    streams_check_cpu_ms: byS(sizes, (s) => round(s.fanout.checkCpuMs)),
    streams_slice_over_raw_fanout: overRaw,
    meta_slice_ms: byS(sizes, (s) => round(s.metaSlice.wallMs)),
    nats_requests_per_run: byS(sizes, (s) => s.streamsSlice.requests),
    nats_requests_budget: reqBudget,
    naive_requests_per_run: byS(sizes, (s) => s.naive.requests),
    nats_bytes_received_per_run: byS(sizes, (s) => s.streamsSlice.bytesReceived),
    nats_json_bytes_per_run: byS(sizes, (s) => s.streamsSlice.bytesDecoded),
    meta_nats_requests_per_run: byS(sizes, (s) => s.metaSlice.requests),
    ddb_items_written_per_run: itemsWritten,
    meta_ddb_items_written_per_run: byS(sizes, (s) => s.metaSlice.historyItemsWritten),
    history_bytes_per_run: byS(sizes, (s) => s.streamsSlice.historyBytesWritten),
    history_json_bytes_per_run: byS(sizes, (s) => s.streamsSlice.historyRawBytes),
    ddb_write_units_per_run: byS(sizes, (s) => s.streamsSlice.writeUnits),
    ddb_read_units_per_run: byS(sizes, (s) => s.streamsSlice.readUnits),
    ddb_units_source:
      "computed from item sizes with DynamoDB's formula (writes: 1 unit per started KB; strongly consistent reads: 1 per started 4 KB); moto's ReturnConsumedCapacity reports 1 unit per write whatever its size",
    findings_per_run: byS(sizes, (s) => s.streamsSlice.findings),
    peak_rss_bytes: byS(sizes, (s) => s.rss.peakRssBytes),
    peak_rss_bytes_10000_estimate: Math.round(at(sizes, COST_S, (s) => s.rss.peakRssBytes)),
    function_memory_mb: memoryMb("streams"),
    baseline_rss_bytes: byS(sizes, (s) => s.rss.baselineRssBytes),
    rss_over_raw_json: rssRatio,
    baseline_heap_bytes: byS(sizes, (s) => s.rss.baselineHeapBytes ?? NaN),
    retained_heap_bytes: byS(sizes, (s) => s.rss.retainedHeapBytes ?? NaN),
    bundle_bytes: Object.fromEntries(bundleNames.map((f) => [f, o.bundles[f]!.bytes])),
    init_ms: Object.fromEntries(bundleNames.map((f) => [f, round(o.bundles[f]!.initMs)])),
    cli_startup: o.cli,
    ...consumers,
    ...serversReport(o.servers),
    eval_snapshots_per_sec: Math.round(o.evaluation.perSecond),
    eval_detail: o.evaluation,
    monthly_cost_usd_10000: round(result.totalUsd, 2),
    cost_model: {
      assumptions: [
        `every slice (${inputs.slices.map((s) => s.slice).join(", ")}) runs each minute: ${RUNS_PER_MONTH} runs a month each (730 h)`,
        `Lambda arm64 at the memory the construct gives each slice by default (${inputs.slices.map((s) => `${s.slice} ${s.memoryMb} MB`).join(", ")}); billed ms = local wall time + local CPU time x (${PRICES.lambda.mbPerVcpu}/MB - 1), since ${[...new Set(inputs.slices.map((s) => s.memoryMb))].map((mb) => `${mb} MB buys ${round(mb / PRICES.lambda.mbPerVcpu, 3)}`).join(" and ")} of a vCPU`,
        `streams slice at S=${COST_S}: wall and CPU time from a least-squares line through the measured sizes (${sizes.map((s) => s.streams).join(", ")}); meta slice as measured at the largest S`,
        `consumers slice at S=${COST_S} (${(COST_S * CONSUMERS_PER_STREAM).toLocaleString("en-US")} consumers, ${CONSUMERS_PER_STREAM} a stream): runSlice wall and CPU time and history bytes read the same way off its measured sizes`,
        ...(serversAt
          ? [
              `servers slice as measured at ${serversAt.servers} servers (its requests are per server, not per stream or consumer)`,
            ]
          : []),
        `history: compressed document bytes extrapolated the same way; one HEAD item up to ${CHUNK_BYTES} bytes, beyond that extra chunks that live ${TTL_DAYS} days (TTL) and are stored meanwhile`,
        `SNS: ${inputs.snsPublishesPerMonth} alert publishes a month (a healthy cluster sends none), each to 2 e-mail and 1 HTTPS subscriber; SMS excluded (priced per country)`,
        "no free tier counted; cold-start (init) time not counted (a function run every minute stays warm)",
      ],
      inputs,
      result,
      not_in_budget: notInBudget.map((x) => ({ ...x, usd_per_month: round(x.usd_per_month, 2) })),
    },
    prices: PRICES,
    networking: networkingOptions(PRICES, 2, 1),
    budgets,
  };
}
