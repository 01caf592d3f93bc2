// One timed run of a slice through the real pipeline (runSlice: collect, history load, evaluate,
// reconcile, save), with a fresh connection as each Lambda invocation opens one.
import { performance } from "node:perf_hooks";
import { runCheck } from "../lib/cli/check.ts";
import type { LookoutConfig } from "../lib/config/config.ts";
import type { HistoryStore } from "../lib/history/store.ts";
import { SharedConnection } from "../lib/run/connection.ts";
import { runSlice, type RunReport } from "../lib/run/run-slice.ts";
import type { Slice } from "../lib/slices/slice.ts";

export interface TimedRun {
  wallMs: number;
  /** CPU time of this process during the run (user + system): what Lambda's CPU share scales. */
  cpuMs: number;
  report: RunReport;
}

export async function timedSliceRun(slice: Slice, config: LookoutConfig, history: HistoryStore): Promise<TimedRun> {
  const conn = new SharedConnection(config.nats, config.timeouts.connectMs);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let report: RunReport;
  try {
    report = await runSlice(slice, {
      config,
      history,
      notifiers: [],
      connection: conn.get,
      describeError: conn.describe,
      failover: conn.failover,
    });
  } finally {
    await conn.close();
  }
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000, report };
}

/** A run the benchmark cannot vouch for (blind, history errors) must not be timed as a good one. */
export function assertClean(r: RunReport): void {
  if (r.status === "unknown" || r.errors.length) {
    throw new Error(
      `${r.slice} run was not clean: status ${r.status}; ${[...r.errors, ...r.findings.filter((f) => f.id.startsWith("monitor_")).map((f) => f.summary)].join("; ")}`,
    );
  }
}

/**
 * One timed streams run as `lookout check --slice streams` from cron makes it (runCheck: history
 * files in `historyDir`, connection opened for the run, then runSlice): what the slice is held to
 * against the raw fan-out.
 */
export async function timedCheckRun(config: LookoutConfig, historyDir: string): Promise<TimedRun> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await runCheck({ ...config, history: { kind: "file", dir: historyDir } }, "streams");
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const report = result.reports[0];
  if (!report) throw new Error(`lookout check ran no streams slice: ${result.problems.join("; ")}`);
  return { wallMs, cpuMs: (c.user + c.system) / 1000, report };
}
