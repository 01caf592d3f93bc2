// How the consumers slice's real-server tests run it: exactly as the CLI does (its own connection,
// file history), with the system user, short timeouts and the thresholds a test asks for.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LookoutConfig } from "../../lib/config/config.ts";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import type { HistoryStore } from "../../lib/history/store.ts";
import type { RunReport } from "../../lib/run/run-slice.ts";
import { consumersSlice } from "../../lib/slices/consumers.ts";
import { SYS_USER, type NatsCluster } from "../../lib/testbed/cluster.ts";
import { DEFAULT_CONSUMER_THRESHOLDS, type ConsumerThresholdConfig } from "../../lib/thresholds/consumer-keys.ts";
import { runOnce } from "../harness/run.ts";

export const newHistory = (): FileHistoryStore =>
  new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-consumers-h-")));

/** The cluster labelled `hub`, the default consumer thresholds with `consumers` and `defaults` over them. */
export function consumersConfig(
  c: NatsCluster,
  consumers: Partial<ConsumerThresholdConfig> = {},
  defaults: Record<string, string> = {},
): LookoutConfig {
  const cfg = buildConfig(
    {
      cluster: "hub",
      nats: { servers: c.runningUrls(), user: SYS_USER.user, password: SYS_USER.password },
      timeouts: { request: "1500ms", connect: "2s" },
    },
    {},
  );
  cfg.thresholds.consumers = {
    ...DEFAULT_CONSUMER_THRESHOLDS,
    ...consumers,
    defaults: { ...DEFAULT_CONSUMER_THRESHOLDS.defaults, ...defaults },
  };
  return cfg;
}

export const runConsumers = (cfg: LookoutConfig, history: HistoryStore = newHistory()): Promise<RunReport> =>
  runOnce(consumersSlice, { config: cfg, history });

/** The ids of a run's findings about one consumer, sorted. */
export const findingsAbout = (r: RunReport, consumer: string): string[] =>
  r.findings
    .filter((f) => f.subject.consumer === consumer)
    .map((f) => f.id)
    .sort();
