// lookout watch: each enabled slice on its own schedule, never overlapping itself, until SIGINT/SIGTERM.
import { setTimeout as sleep } from "node:timers/promises";
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
  /** Alerts and progress (default stdout). */
  out?: (s: string) => void;
  /** Errors (default stderr). */
  err?: (s: string) => void;
  /** Colour the terminal output (default: stdout is a terminal and NO_COLOR is not set). */
  color?: boolean;
}

export async function runWatch(config: LookoutConfig, o: WatchOptions): Promise<void> {
  const out = o.out ?? ((s: string) => process.stdout.write(s));
  const err = o.err ?? ((s: string) => process.stderr.write(s));
  const color = o.color ?? (Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);
  const { slices, notes } = selectSlices(config, "all");
  const history = await historyStoreFor(config.history);
  const notifiers = await notifiersFor(
    config.notify.map((n) => (n.kind === "terminal" && n.color === undefined ? { ...n, color } : n)),
  );
  const conn = new SharedConnection(config.nats, config.timeouts.connectMs);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // One listener for the caller's signal, removed at the end (not one per wait).
  o.signal?.addEventListener("abort", onSignal, { once: true });
  for (const n of notes) err(`lookout: ${n}\n`);
  const what = config.clusterLabel ?? config.nats.servers.join(",");
  out(
    `lookout: watching ${what}: ${slices.map((s) => `${s.name} every ${formatDuration(config.slices[s.name].everyMs)}`).join(", ")}; history in ${history.location}\n`,
  );

  const loop = async (slice: (typeof slices)[number]) => {
    for (let n = 0; !stop.signal.aborted && (o.maxRuns === undefined || n < o.maxRuns); n++) {
      const started = Date.now();
      try {
        const r = await runSlice(slice, {
          config,
          history,
          notifiers,
          connection: conn.get,
          failover: conn.failover,
          describeError: conn.describe,
        });
        if (o.verbose)
          out(
            dim(
              `${new Date(r.startedAt).toISOString().slice(11, 19)} ${r.slice}: ${r.status}, ${r.findings.length} finding(s), ${r.requests.requests} request(s), ${r.durationMs} ms`,
            ) + "\n",
          );
        for (const e of r.errors) err(`lookout: ${r.slice}: ${e}\n`);
        if (r.status === "unknown") await conn.close(); // reconnect next time
      } catch (e) {
        err(`lookout: ${slice.name} run failed: ${(e as Error).message}\n`);
      }
      if (o.maxRuns !== undefined && n + 1 >= o.maxRuns) break;
      const wait = Math.max(0, config.slices[slice.name].everyMs - (Date.now() - started));
      await sleep(wait, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  };
  try {
    await Promise.all(slices.map(loop));
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    o.signal?.removeEventListener("abort", onSignal);
    await conn.close();
    await history.close?.();
    for (const n of notifiers) await n.close?.();
  }
}
