// The consumers slice at one S, on the cluster the streams figures were measured on (after them, so
// those figures are not changed by the consumers): give every stream its consumers, let the slice
// settle, then interleave round by round (same machine load for each) the raw fan-out its collector
// makes, the slice as `lookout check --slice consumers` runs it, the naive CONSUMER.INFO loop, and
// the slice through runSlice with DynamoDB history (moto_server) as Lambda runs it; finally its peak
// RSS in a child process.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { connectNats } from "../lib/nats/connect.ts";
import type { RunReport } from "../lib/run/run-slice.ts";
import type { NatsCluster } from "../lib/testbed/cluster.ts";
import { BENCH_ACCOUNTS } from "./fill.ts";
import { fillConsumers, type ConsumerFillReport } from "./fill-consumers.ts";
import { sliceFigures, type SliceFigures } from "./slice-figures.ts";
import type { WayFigures } from "./way-figures.ts";
import { naiveCollectConsumers, type NaiveConsumersResult } from "./naive-consumers.ts";
import { rawConsumersFanout, type RawFanout } from "./raw-fanout.ts";
import { measureRss } from "./rss.ts";
import type { RssChildResult } from "./rss-child.ts";
import { assertClean, requireSlice, settle, timedCheckRun, timedSliceRun, type TimedRun } from "./slice-run.ts";
import { median } from "./stats.ts";
import { benchConfig, benchStore, type BenchTarget } from "./target.ts";

export interface ConsumersFigures {
  fill: ConsumerFillReport;
  /** Consumers the slice judged (its perf figure), the streams fill's own consumers included. */
  judged: number;
  /** Runs it took until the consumers slice found nothing. */
  settleRuns: number;
  /** (a) The slice through runCheck with file history, as `lookout check --slice consumers` runs it. */
  check: WayFigures & { findings: number };
  /** (b) The JSZ request(s) the collector makes, replies parsed, nothing else. */
  raw: WayFigures;
  /** (c) STREAM.NAMES, CONSUMER.NAMES per stream, CONSUMER.INFO per consumer, one after the other. */
  naive: WayFigures & { errors: number; consumersSeen: number };
  /** The slice through runSlice with DynamoDB history: what Lambda runs, and what it writes. */
  slice: SliceFigures;
  rss: RssChildResult;
}

export interface ConsumersContext {
  runs: number;
  fillConcurrency: number;
  rssChild: string;
  log: (s: string) => void;
}

interface Timed<T> {
  wallMs: number;
  cpuMs: number;
  result: T;
}

async function timed<T>(fn: () => Promise<T>): Promise<Timed<T>> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000, result };
}

const way = (runs: { wallMs: number; cpuMs: number }[], last: RunReport["requests"]): WayFigures => ({
  wallMs: median(runs.map((r) => r.wallMs)),
  cpuMs: median(runs.map((r) => r.cpuMs)),
  wallRunsMs: runs.map((r) => r.wallMs),
  requests: last.requests,
  bytesReceived: last.bytesReceived,
  bytesDecoded: last.bytesDecoded,
});

const judgedIn = (r: RunReport): number => r.perf.find((p) => p.name === "consumers_judged")?.value ?? NaN;

export async function measureConsumers(
  cluster: NatsCluster,
  S: number,
  target: BenchTarget,
  ctx: ConsumersContext,
): Promise<ConsumersFigures> {
  const log = (s: string) => ctx.log(`S=${S} consumers: ${s}`);
  const slice = requireSlice("consumers");
  log(`creating consumers, ${ctx.fillConcurrency} at a time`);
  const fill = await fillConsumers(cluster, S, ctx.fillConcurrency, log);
  log(`${fill.consumers} consumers (${fill.r3} R3, ${fill.r1} R1) in ${fill.seconds.toFixed(1)} s`);

  const config = benchConfig(target);
  const store = benchStore(target);
  const historyDir = mkdtempSync(join(tmpdir(), "lookout-bench-consumers-"));
  const servers = cluster.servers.length;
  const rawConn = await connectNats(config.nats, 10_000);
  const naiveRun = async () => {
    const conns = await Promise.all(
      BENCH_ACCOUNTS.map((a) => connectNats({ servers: cluster.urls, user: a.user, password: a.password }, 10_000)),
    );
    try {
      return await naiveCollectConsumers(conns);
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  };
  try {
    // Settle on the DynamoDB history (consumer leaders elected), then one warm-up of each way.
    const settleRuns = await settle(slice, config, store, 180_000, log);
    await rawConsumersFanout(rawConn, servers);
    await timedCheckRun(config, historyDir, "consumers"); // and the history the measured runs load
    await naiveRun();

    const raw: Timed<RawFanout>[] = [];
    const checks: TimedRun[] = [];
    const naive: Timed<NaiveConsumersResult>[] = [];
    const slices: TimedRun[] = [];
    for (let i = 0; i < ctx.runs; i++) {
      const r = await rawConsumersFanout(rawConn, servers);
      raw.push({ wallMs: r.wallMs, cpuMs: r.cpuMs, result: r });
      const c = await timedCheckRun(config, historyDir, "consumers");
      assertClean(c.report);
      checks.push(c);
      naive.push(await timed(naiveRun));
      const s = await timedSliceRun(slice, config, store);
      assertClean(s.report);
      slices.push(s);
      log(
        `round ${i + 1}/${ctx.runs}: raw fan-out ${r.wallMs.toFixed(0)} ms, lookout check ${c.wallMs.toFixed(0)} ms, ` +
          `naive ${naive.at(-1)!.wallMs.toFixed(0)} ms, runSlice ${s.wallMs.toFixed(0)} ms (${judgedIn(c.report)} judged)`,
      );
    }
    log("peak RSS of the consumers slice in a child process");
    const rss = await measureRss(ctx.rssChild, { ...target, label: `${target.label}-rss` }, 2, "consumers");
    const lastCheck = checks.at(-1)!.report;
    const lastNaive = naive.at(-1)!.result;
    return {
      fill,
      judged: judgedIn(lastCheck),
      settleRuns,
      check: { ...way(checks, lastCheck.requests), findings: median(checks.map((c) => c.report.findings.length)) },
      raw: way(raw, raw.at(-1)!.result.stats),
      naive: { ...way(naive, lastNaive.stats), errors: lastNaive.errors, consumersSeen: lastNaive.consumers },
      slice: sliceFigures(slices),
      rss,
    };
  } finally {
    await rawConn.close();
    await store.close();
    rmSync(historyDir, { recursive: true, force: true });
  }
}
