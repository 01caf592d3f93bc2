// Everything measured at one S, on a fresh cluster: fill it, let it settle, then interleave the
// naive loop, the streams slice and the meta slice run by run (same machine load for each), then
// the streams slice's peak RSS in a child process; last, on the same cluster, the consumers slice
// (bench/measure-consumers.ts), once every stream has its consumers.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import type { LookoutConfig } from "../lib/config/config.ts";
import { connectNats } from "../lib/nats/connect.ts";
import { newRequestStats } from "../lib/nats/stats.ts";
import type { SnapshotBase } from "../lib/slices/slice.ts";
import { NatsCluster, SYS_USER } from "../lib/testbed/cluster.ts";
import type { ServerBinary } from "../lib/testbed/servers.ts";
import { roundTrip, startDelayRelays } from "./delay-relay.ts";
import { BENCH_ACCOUNTS, fillCluster, type FillReport } from "./fill.ts";
import { measureConsumers, type ConsumersFigures } from "./measure-consumers.ts";
import { naiveCollect, type NaiveResult } from "./naive.ts";
import { rawFanout } from "./raw-fanout.ts";
import { measureRss } from "./rss.ts";
import type { RssChildResult } from "./rss-child.ts";
import { sliceFigures, type SliceFigures } from "./slice-figures.ts";
import { assertClean, requireSlice, settle, timedCheckRun, timedSliceRun, type TimedRun } from "./slice-run.ts";
import { median } from "./stats.ts";
import { benchConfig, benchStore, BENCH_TABLE, type BenchTarget } from "./target.ts";

export interface SizeFigures {
  streams: number;
  fill: FillReport;
  servers: number;
  accounts: number;
  naive: {
    wallMs: number;
    wallRunsMs: number[];
    requests: number;
    bytesReceived: number;
    errors: number;
    streamsSeen: number;
  };
  streamsSlice: SliceFigures;
  metaSlice: SliceFigures;
  rss: RssChildResult;
  /** The same naive loop and streams slice, interleaved, through relays that add a round trip (absent with --rtt-ms 0). */
  rtt?: RttFigures;
  /**
   * The raw leader-only JSZ fan-out (bench/raw-fanout.ts) and the streams slice through runCheck, as
   * `lookout check --slice streams` runs it, interleaved pair by pair: the slice is held to a multiple of that floor.
   */
  fanout: { rawMs: number; rawRunsMs: number[]; checkMs: number; checkRunsMs: number[]; checkCpuMs: number };
  /** Runs it took until the streams slice found nothing (mirrors caught up, leaders elected). */
  settleRuns: number;
  /** The consumers slice, measured on the same cluster after everything above (bench/measure-consumers.ts). */
  consumers: ConsumersFigures;
}

export interface RttFigures {
  /** The round trip asked for (--rtt-ms). */
  rttMs: number;
  /** Median PING/PONG through a relay, and on bare loopback, measured before the runs. */
  measuredRttMs: number;
  loopbackRttMs: number;
  naive: { wallMs: number; wallRunsMs: number[]; requests: number };
  streamsSlice: { wallMs: number; wallRunsMs: number[]; cpuMs: number; requests: number };
}

/** Median time of a PING/PONG (`flush`) on one connection, over `n` tries. */
async function pingMs(urls: string[], n = 50): Promise<number> {
  const nc = await connectNats({ servers: urls, user: SYS_USER.user, password: SYS_USER.password }, 10_000);
  try {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await nc.flush();
      xs.push(performance.now() - t0);
    }
    return median(xs);
  } finally {
    await nc.close();
  }
}

export interface SizeContext {
  /** Round trip (ms) for the runs through delaying relays; 0 skips them. */
  rttMs: number;
  binary: ServerBinary;
  ddbEndpoint: string;
  runs: number;
  fillConcurrency: number;
  /** Consumers created at once while giving every stream its consumers. */
  consumerFillConcurrency: number;
  rssChild: string;
  log: (s: string) => void;
  /** Called with a collected streams snapshot and its config, for the evaluation benchmark. */
  keepSnapshot?: (snap: SnapshotBase, config: LookoutConfig) => void;
}

export async function measureSize(S: number, ctx: SizeContext): Promise<SizeFigures> {
  const { log } = ctx;
  const streamsSlice = requireSlice("streams");
  const metaSlice = requireSlice("meta");
  const cluster = await NatsCluster.start({ binary: ctx.binary, accounts: BENCH_ACCOUNTS, clusterName: `bench${S}` });
  try {
    log(`S=${S}: filling ${cluster.servers.length} servers, nats-server ${cluster.version}`);
    const fill = await fillCluster(cluster, S, ctx.fillConcurrency, log);
    log(
      `S=${S}: ${fill.streams} streams (${fill.mirrors} mirrors, ${fill.consumers} consumers) in ${fill.seconds.toFixed(1)} s`,
    );
    const target: BenchTarget = {
      servers: cluster.urls,
      user: SYS_USER.user,
      password: SYS_USER.password,
      ddbEndpoint: ctx.ddbEndpoint,
      table: BENCH_TABLE,
      label: `bench-${S}`,
    };
    const config = benchConfig(target);
    const store = benchStore(target);

    // Settle: the first runs after a fill may still see elections and mirrors catching up.
    const settleRuns = await settle(streamsSlice, config, store, 120_000, (m) => log(`S=${S}: ${m}`));
    await timedSliceRun(metaSlice, config, store); // warm-up: creates the meta history

    const naiveConnect = async (urls: string[]): Promise<NatsConnection[]> =>
      Promise.all(
        BENCH_ACCOUNTS.map((a) => connectNats({ servers: urls, user: a.user, password: a.password }, 10_000)),
      );
    const naiveRun = async (urls = cluster.urls): Promise<{ ms: number; r: NaiveResult }> => {
      const t0 = performance.now();
      const conns = await naiveConnect(urls);
      try {
        const r = await naiveCollect(conns);
        return { ms: performance.now() - t0, r };
      } finally {
        await Promise.all(conns.map((c) => c.close()));
      }
    };
    await naiveRun(); // warm-up

    const naive: { ms: number; r: NaiveResult }[] = [];
    const streamsRuns: TimedRun[] = [];
    const metaRuns: TimedRun[] = [];
    for (let i = 0; i < ctx.runs; i++) {
      naive.push(await naiveRun());
      const s = await timedSliceRun(streamsSlice, config, store);
      assertClean(s.report);
      streamsRuns.push(s);
      const m = await timedSliceRun(metaSlice, config, store);
      assertClean(m.report);
      metaRuns.push(m);
      log(
        `S=${S} run ${i + 1}/${ctx.runs}: naive ${naive.at(-1)!.ms.toFixed(0)} ms, streams ${s.wallMs.toFixed(0)} ms, meta ${m.wallMs.toFixed(0)} ms`,
      );
    }

    // The slice against its floor, the raw fan-out, pair by pair (each pair under the same load).
    // The raw fan-out's connection stays open: it is the request alone; the check opens its own.
    const rawConn = await connectNats(config.nats, 10_000);
    const historyDir = mkdtempSync(join(tmpdir(), "lookout-bench-history-"));
    const rawMs: number[] = [];
    const checkRuns: TimedRun[] = [];
    try {
      await rawFanout(rawConn, cluster.servers.length); // warm-up
      await timedCheckRun(config, historyDir); // and the history the measured runs load
      for (let i = 0; i < ctx.runs; i++) {
        rawMs.push((await rawFanout(rawConn, cluster.servers.length)).wallMs);
        const c = await timedCheckRun(config, historyDir);
        assertClean(c.report);
        checkRuns.push(c);
        log(
          `S=${S} pair ${i + 1}/${ctx.runs}: raw fan-out ${rawMs.at(-1)!.toFixed(0)} ms, streams slice through runCheck ${c.wallMs.toFixed(0)} ms`,
        );
      }
    } finally {
      await rawConn.close();
      rmSync(historyDir, { recursive: true, force: true });
    }
    const fanout = {
      rawMs: median(rawMs),
      rawRunsMs: rawMs,
      checkMs: median(checkRuns.map((r) => r.wallMs)),
      checkRunsMs: checkRuns.map((r) => r.wallMs),
      checkCpuMs: median(checkRuns.map((r) => r.cpuMs)),
    };

    // The same two, through relays that add a network round trip between the monitor and each
    // server (bench/delay-relay.ts): same cluster, same history, interleaved run by run.
    let rtt: RttFigures | undefined;
    if (ctx.rttMs > 0) {
      const relays = await startDelayRelays(
        cluster.servers.map((s) => s.port),
        roundTrip(ctx.rttMs),
      );
      try {
        const urls = relays.ports.map((p) => `nats://127.0.0.1:${p}`);
        const loopbackRttMs = await pingMs(cluster.urls);
        const measuredRttMs = await pingMs(urls);
        log(
          `S=${S}: through relays adding ${ctx.rttMs} ms a round trip (PING/PONG ${measuredRttMs.toFixed(2)} ms, bare loopback ${loopbackRttMs.toFixed(2)} ms)`,
        );
        const rttConfig = benchConfig({ ...target, servers: urls });
        await naiveRun(urls); // warm-up
        await timedSliceRun(streamsSlice, rttConfig, store);
        const naiveRtt: { ms: number; r: NaiveResult }[] = [];
        const streamsRtt: TimedRun[] = [];
        for (let i = 0; i < ctx.runs; i++) {
          naiveRtt.push(await naiveRun(urls));
          const s = await timedSliceRun(streamsSlice, rttConfig, store);
          assertClean(s.report);
          streamsRtt.push(s);
          log(
            `S=${S} run ${i + 1}/${ctx.runs} with ${ctx.rttMs} ms RTT: naive ${naiveRtt.at(-1)!.ms.toFixed(0)} ms, streams ${s.wallMs.toFixed(0)} ms`,
          );
        }
        rtt = {
          rttMs: ctx.rttMs,
          measuredRttMs,
          loopbackRttMs,
          naive: {
            wallMs: median(naiveRtt.map((n) => n.ms)),
            wallRunsMs: naiveRtt.map((n) => n.ms),
            requests: naiveRtt.at(-1)!.r.stats.requests,
          },
          streamsSlice: {
            wallMs: median(streamsRtt.map((r) => r.wallMs)),
            wallRunsMs: streamsRtt.map((r) => r.wallMs),
            cpuMs: median(streamsRtt.map((r) => r.cpuMs)),
            requests: median(streamsRtt.map((r) => r.report.requests.requests)),
          },
        };
      } finally {
        await relays.stop();
      }
    }
    await store.close();

    if (ctx.keepSnapshot) {
      const nc = await connectNats(config.nats, 10_000);
      try {
        const snap = await streamsSlice.collect(nc, {
          config,
          stats: newRequestStats(),
          now: Date.now,
          previous: undefined,
        });
        ctx.keepSnapshot(snap, config);
      } finally {
        await nc.close();
      }
    }

    log(`S=${S}: peak RSS of the streams slice in a child process`);
    const rss = await measureRss(ctx.rssChild, { ...target, label: `bench-${S}-rss` }, 2);

    const consumers = await measureConsumers(cluster, S, target, {
      runs: ctx.runs,
      fillConcurrency: ctx.consumerFillConcurrency,
      rssChild: ctx.rssChild,
      log,
    });

    const lastNaive = naive.at(-1)!.r;
    return {
      streams: S,
      fill,
      servers: cluster.servers.length,
      accounts: BENCH_ACCOUNTS.length,
      naive: {
        wallMs: median(naive.map((n) => n.ms)),
        wallRunsMs: naive.map((n) => n.ms),
        requests: lastNaive.stats.requests,
        bytesReceived: lastNaive.stats.bytesReceived,
        errors: lastNaive.errors,
        streamsSeen: lastNaive.streams,
      },
      streamsSlice: sliceFigures(streamsRuns),
      metaSlice: sliceFigures(metaRuns),
      rss,
      ...(rtt ? { rtt } : {}),
      settleRuns,
      fanout,
      consumers,
    };
  } finally {
    await cluster.stop();
  }
}
