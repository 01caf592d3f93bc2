// lookout check: every selected slice once, with history, so flaps, stalls and resolutions show.
// With a timeout the whole check (every slice, history and notifiers included) ends inside it and
// says what it could not do: plugin schedulers kill a plugin that overruns (Nagios after 10 s).
import { setTimeout as sleep } from "node:timers/promises";
import { SYSTEM_ACCOUNT_SLICES, type LookoutConfig } from "../config/config.ts";
import { ConfigError } from "../errors.ts";
import type { CheckOutcome } from "../output/render.ts";
import { runSlice, type RunReport } from "../run/run-slice.ts";
import { SharedConnection } from "../run/connection.ts";
import type { HistoryStore } from "../history/store.ts";
import type { Notifier } from "../notify/notifier.ts";
import { historyStoreFor, notifiersFor } from "../run/wiring.ts";
import { SLICES, sliceNamed } from "../slices/index.ts";
import type { Slice } from "../slices/slice.ts";
import { formatDuration } from "../thresholds/duration.ts";

export interface Selection {
  slices: Slice[];
  /** Said once: slices left out because the mode cannot run them. */
  notes: string[];
}

/** The slices to run: `all` (the enabled ones) or a comma list; account mode cannot run system-only slices. */
export function selectSlices(config: LookoutConfig, which: string): Selection {
  const needsSystem = (s: Slice) => config.mode === "account" && SYSTEM_ACCOUNT_SLICES.includes(s.name);
  if (which === "all") {
    const enabled = Object.values(SLICES).filter((s): s is Slice => !!s && config.slices[s.name].enabled);
    const skipped = enabled.filter(needsSystem);
    return {
      slices: enabled.filter((s) => !needsSystem(s)),
      notes: skipped.map((s) => `${s.name} slice skipped: it needs the system account, and mode is "account"`),
    };
  }
  const slices = which.split(",").map((n) => sliceNamed(n.trim()));
  const refused = slices.filter(needsSystem);
  if (refused.length)
    throw new ConfigError(
      refused.map((s) => `--slice ${s.name}: needs the system account; mode "account" cannot run it`),
    );
  return { slices, notes: [] };
}

export interface CheckOptions {
  /** The whole check ends inside this; undefined: as long as the configured timeouts make it. */
  timeoutMs?: number;
  /** Called once the history store is open (for `--verbose`). */
  onHistory?: (location: string) => void;
}

export interface CheckResult extends CheckOutcome {
  /** True when the timeout cut the check short while something still ran (it cannot be cancelled). */
  abandoned: boolean;
}

/** Time kept at the end of a timed check for rendering and writing the output. */
const OUTPUT_MARGIN_MS = 250;

export async function runCheck(config: LookoutConfig, which: string, o: CheckOptions = {}): Promise<CheckResult> {
  const { slices, notes } = selectSlices(config, which);
  const done: (RunReport | undefined)[] = slices.map(() => undefined);
  // Where each unfinished slice is, so a timeout can say what it could not do.
  const stages = new Map<string, string>(slices.map((s) => [s.name, "start"]));
  const started = Date.now();
  const budget = o.timeoutMs === undefined ? undefined : Math.max(0, o.timeoutMs - OUTPUT_MARGIN_MS);
  // A timed check shares its budget: each wait may use a quarter of it, collection stops at 70 %.
  const cap = (ms: number) => (budget === undefined ? ms : Math.max(100, Math.min(ms, Math.floor(budget / 4))));
  const timed: LookoutConfig = {
    ...config,
    timeouts: { connectMs: cap(config.timeouts.connectMs), requestMs: cap(config.timeouts.requestMs) },
  };
  const deadline = budget === undefined ? undefined : started + Math.floor(budget * 0.7);
  const reports = () => done.filter((r): r is RunReport => r !== undefined);

  // Slices run side by side, each on its own connection: a first run waits a request timeout per
  // fan-out to learn the cluster's size, and one after another they would not fit a plugin's budget;
  // a slice failing over from a hung server must not cut another slice's connection.
  const runOne = async (s: Slice, i: number, history: HistoryStore, notifiers: Notifier[]): Promise<void> => {
    const conn = new SharedConnection(timed.nats, timed.timeouts.connectMs);
    try {
      const deps = {
        config: timed,
        history,
        notifiers,
        connection: conn.get,
        failover: conn.failover,
        describeError: conn.describe,
        onStage: (slice: string, stage: string) => stages.set(slice, stage),
      };
      done[i] = await runSlice(s, deadline === undefined ? deps : { ...deps, deadline });
      stages.delete(s.name);
    } finally {
      await conn.close();
    }
  };
  const work = async (): Promise<void> => {
    for (const s of slices) stages.set(s.name, "history open");
    const history = await historyStoreFor(config.history);
    o.onHistory?.(history.location);
    // The report itself is the terminal output here; other notifiers (files, SNS) still get notices.
    const notifiers = await notifiersFor(config.notify.filter((n) => n.kind !== "terminal"));
    try {
      await Promise.all(slices.map((s, i) => runOne(s, i, history, notifiers)));
    } finally {
      await history.close?.();
      for (const n of notifiers) await n.close?.();
    }
  };

  if (budget === undefined) {
    await work();
    return { reports: reports(), problems: notes, abandoned: false };
  }
  const timer = new AbortController();
  const finished = await Promise.race([
    work().then(() => true),
    sleep(budget, false, { signal: timer.signal }).catch(() => true),
  ]).finally(() => timer.abort());
  if (finished) return { reports: reports(), problems: notes, abandoned: false };
  const hung = [...stages].map(([slice, stage]) => `the ${slice} slice (${stage})`).join(", ");
  const problem = `timed out after ${formatDuration(o.timeoutMs ?? 0)} in ${hung}`;
  return { reports: reports(), problems: [...notes, problem], abandoned: true };
}
