// lookout watch: each enabled slice on its own schedule, never overlapping itself, until SIGINT/SIGTERM.
import type { LookoutConfig } from "../config/config.ts";
import { runSlice } from "../run/run-slice.ts";
import { SharedConnection } from "../run/connection.ts";
import { historyStoreFor, notifiersFor } from "../run/wiring.ts";
import { formatDuration } from "../thresholds/duration.ts";
import { selectSlices } from "./check.ts";

export interface WatchOptions {
  verbose: boolean;
  /** Stop after this many runs of each slice (tests, the demo); default: forever. */
  maxRuns?: number;
  signal?: AbortSignal;
  out?: (s: string) => void;
}

export async function runWatch(config: LookoutConfig, o: WatchOptions): Promise<void> {
  const out = o.out ?? ((s: string) => process.stdout.write(s));
  const history = await historyStoreFor(config.history);
  const notifiers = await notifiersFor(config.notify);
  const conn = new SharedConnection(config.nats, config.timeouts.connectMs);
  const slices = selectSlices(config, "all");
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  o.signal?.addEventListener("abort", onSignal);
  out(`lookout: watching ${config.clusterLabel ?? config.nats.servers.join(",")}: ${slices.map((s) => `${s.name} every ${formatDuration(config.slices[s.name].everyMs)}`).join(", ")}; history in ${config.history.kind === "file" ? config.history.dir : config.history.table}\n`);

  const loop = async (slice: (typeof slices)[number]) => {
    for (let n = 0; !stop.signal.aborted && (o.maxRuns === undefined || n < o.maxRuns); n++) {
      const started = Date.now();
      try {
        const r = await runSlice(slice, { config, history, notifiers, connection: conn.get, failover: conn.failover, describeError: conn.describe });
        if (o.verbose) out(`\x1b[2m${new Date(r.startedAt).toISOString().slice(11, 19)} ${r.slice}: ${r.status}, ${r.findings.length} finding(s), ${r.requests.requests} request(s), ${r.durationMs} ms\x1b[0m\n`);
        for (const e of r.errors) out(`lookout: ${r.slice}: ${e}\n`);
        if (r.status === "unknown") await conn.close(); // reconnect next time
      } catch (e) {
        out(`lookout: ${slice.name} run failed: ${(e as Error).message}\n`);
      }
      const wait = Math.max(0, config.slices[slice.name].everyMs - (Date.now() - started));
      if (o.maxRuns !== undefined && n + 1 >= o.maxRuns) break;
      await new Promise<void>((r) => {
        const t = setTimeout(r, wait);
        stop.signal.addEventListener("abort", () => (clearTimeout(t), r()), { once: true });
      });
    }
  };
  try {
    await Promise.all(slices.map(loop));
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await conn.close();
    await history.close?.();
    for (const n of notifiers) await n.close?.();
  }
}
