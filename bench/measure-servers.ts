// The servers slice at a given cluster size: a fresh cluster of that many servers (no streams: its
// requests are per server, not per stream), whole runs through runSlice (connect, history from
// DynamoDB on moto_server, the five fan-outs, judge, save). The first run knows no server count and
// waits the request timeout for servers it has not heard of, so it is reported apart from the
// measured runs that follow it.
import { NatsCluster, SYS_USER } from "../lib/testbed/cluster.ts";
import type { ServerBinary } from "../lib/testbed/servers.ts";
import { sliceFigures, type SliceFigures } from "./slice-figures.ts";
import { assertClean, requireSlice, timedSliceRun, type TimedRun } from "./slice-run.ts";
import { benchConfig, benchStore, BENCH_TABLE } from "./target.ts";

/** Short, so the first run's wait is short; later runs end as soon as every known server answered. */
export const SERVERS_REQUEST_TIMEOUT = "3s";

export interface ServersFigures {
  servers: number;
  /** Servers that answered VARZ in the last measured run. */
  answered: number;
  firstRunMs: number;
  requestTimeout: string;
  slice: SliceFigures;
}

export interface ServersContext {
  binary: ServerBinary;
  ddbEndpoint: string;
  runs: number;
  log: (s: string) => void;
}

export async function measureServers(size: number, ctx: ServersContext): Promise<ServersFigures> {
  const slice = requireSlice("servers");
  const cluster = await NatsCluster.start({ binary: ctx.binary, size, clusterName: `benchsrv${size}` });
  try {
    const target = {
      servers: cluster.urls,
      user: SYS_USER.user,
      password: SYS_USER.password,
      ddbEndpoint: ctx.ddbEndpoint,
      table: BENCH_TABLE,
      label: `bench-servers-${size}`,
      requestTimeout: SERVERS_REQUEST_TIMEOUT,
    };
    const config = benchConfig(target);
    const store = benchStore(target);
    try {
      const first = await timedSliceRun(slice, config, store);
      assertClean(first.report);
      const runs: TimedRun[] = [];
      for (let i = 0; i < ctx.runs; i++) {
        const r = await timedSliceRun(slice, config, store);
        assertClean(r.report);
        runs.push(r);
      }
      const last = runs.at(-1)!.report;
      const answered = last.perf.find((p) => p.name === "servers_answered")?.value ?? NaN;
      const figures = sliceFigures(runs);
      ctx.log(
        `servers slice at ${size} servers: first run ${first.wallMs.toFixed(0)} ms, then ${runs.map((r) => r.wallMs.toFixed(0)).join(", ")} ms; ` +
          `${figures.requests} requests, ${figures.bytesReceived} B received, ${answered} answered, ${figures.findings} finding(s)`,
      );
      return {
        servers: size,
        answered,
        firstRunMs: first.wallMs,
        requestTimeout: SERVERS_REQUEST_TIMEOUT,
        slice: figures,
      };
    } finally {
      await store.close();
    }
  } finally {
    await cluster.stop();
  }
}
