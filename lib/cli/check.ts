// lookout check: every selected slice once, with history, so flaps, stalls and resolutions show.
import type { LookoutConfig } from "../config/config.ts";
import { runSlice, type RunReport } from "../run/run-slice.ts";
import { SharedConnection } from "../run/connection.ts";
import { historyStoreFor, notifiersFor } from "../run/wiring.ts";
import { SLICES, sliceNamed } from "../slices/index.ts";
import type { Slice } from "../slices/slice.ts";

export function selectSlices(config: LookoutConfig, which: string): Slice[] {
  if (which === "all") return Object.values(SLICES).filter((s): s is Slice => !!s && config.slices[s.name].enabled);
  return which.split(",").map((n) => sliceNamed(n.trim()));
}

export async function runCheck(config: LookoutConfig, which: string): Promise<RunReport[]> {
  const slices = selectSlices(config, which);
  const history = await historyStoreFor(config.history);
  // The report itself is the terminal output here; other notifiers (files, SNS) still get notices.
  const notifiers = await notifiersFor(config.notify.filter((n) => n.kind !== "terminal"));
  const conn = new SharedConnection(config.nats, config.timeouts.connectMs);
  try {
    const reports: RunReport[] = [];
    for (const s of slices) reports.push(await runSlice(s, { config, history, notifiers, connection: conn.get, failover: conn.failover, describeError: conn.describe }));
    return reports;
  } finally {
    await conn.close();
    await history.close?.();
    for (const n of notifiers) await n.close?.();
  }
}
