// One timed run of a slice through the real pipeline (runSlice: collect, history load, evaluate,
// reconcile, save), with a fresh connection as each Lambda invocation opens one.
import { performance } from "node:perf_hooks";
import { runCheck } from "../lib/cli/check.ts";
import type { LookoutConfig } from "../lib/config/config.ts";
import type { SliceName } from "../lib/core/slice-name.ts";
import type { HistoryStore } from "../lib/history/store.ts";
import { SharedConnection } from "../lib/run/connection.ts";
import { runSlice, type RunReport } from "../lib/run/run-slice.ts";
import { SLICES } from "../lib/slices/index.ts";
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

/**
 * Runs a slice until it reports nothing (leaders elected, mirrors caught up) or `waitMs` passed,
 * 2 s apart; returns the runs it took. Saying what still fires when it gives up.
 */
export async function settle(
  slice: Slice,
  config: LookoutConfig,
  history: HistoryStore,
  waitMs: number,
  log: (s: string) => void,
): Promise<number> {
  let runs = 0;
  for (const deadline = Date.now() + waitMs; ;) {
    const r = await timedSliceRun(slice, config, history);
    runs++;
    assertClean(r.report);
    if (!r.report.findings.length) return runs;
    if (Date.now() > deadline) {
      const shown = r.report.findings.slice(0, 3).map((f) => f.summary);
      log(`${slice.name}: still ${r.report.findings.length} finding(s) after settling, e.g. ${shown.join(" | ")}`);
      return runs;
    }
    await new Promise((res) => setTimeout(res, 2000));
  }
}

/** A slice from the registry, or an error saying it is not registered. */
export function requireSlice(name: SliceName): Slice {
  const s = SLICES[name];
  if (!s) throw new Error(`the ${name} slice is not registered in lib/slices/index.ts`);
  return s;
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
 * One timed run of a slice as `lookout check --slice <name>` from cron makes it (runCheck: history
 * files in `historyDir`, connection opened for the run, then runSlice): what a fan-out slice is held
 * to against its raw fan-out.
 */
export async function timedCheckRun(
  config: LookoutConfig,
  historyDir: string,
  slice: SliceName = "streams",
): Promise<TimedRun> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await runCheck({ ...config, history: { kind: "file", dir: historyDir } }, slice);
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const report = result.reports[0];
  if (!report) throw new Error(`lookout check ran no ${slice} slice: ${result.problems.join("; ")}`);
  return { wallMs, cpuMs: (c.user + c.system) / 1000, report };
}
