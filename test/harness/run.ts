// One run of one slice exactly as the CLI makes it: its own connection (with fail-over to another
// server), closed afterwards.
import type { LookoutConfig } from "../../lib/config/config.ts";
import type { HistoryStore } from "../../lib/history/store.ts";
import type { Notifier } from "../../lib/notify/notifier.ts";
import { SharedConnection } from "../../lib/run/connection.ts";
import { runSlice, type RunReport } from "../../lib/run/run-slice.ts";
import type { Slice } from "../../lib/slices/slice.ts";

export interface RunOnce {
  config: LookoutConfig;
  history: HistoryStore;
  notifiers?: Notifier[];
}

export async function runOnce(slice: Slice, o: RunOnce): Promise<RunReport> {
  const conn = new SharedConnection(o.config.nats, o.config.timeouts.connectMs);
  try {
    return await runSlice(slice, {
      config: o.config,
      history: o.history,
      notifiers: o.notifiers ?? [],
      connection: conn.get,
      failover: conn.failover,
      describeError: conn.describe,
    });
  } finally {
    await conn.close();
  }
}
