// The servers slice's thresholds with the catalog's defaults; set as `thresholds.servers.<key>` in the
// configuration (rows in lib/thresholds/table.ts: servers carry no metadata, so config scope only).

export interface ServerThresholds {
  /** JetStream memory / storage against reserved and against the configured maximum, in percent. */
  memoryWarnPct: number;
  memoryCriticalPct: number;
  storageWarnPct: number;
  storageCriticalPct: number;
  cpuPerCoreWarnPct: number;
  connectionsWarnPct: number;
  routeRttWarnMs: number;
  gatewayRttWarnMs: number;
  leafRttWarnMs: number;
  metaPendingWarn: number;
  /** SERVER_008 (and an upgrade notice) stay firing this long after the new start. */
  restartAlertForMs: number;
  /** SERVER_009: more start times than this inside the window. */
  crashLoopStarts: number;
  crashLoopWindowMs: number;
  /** A silent server, a lost gateway or leaf link is named until this long after it was last seen. */
  forgetAfterMs: number;
  credsWarnMs: number;
  credsCriticalMs: number;
}

const DAY = 86_400_000;

export const DEFAULT_SERVER_THRESHOLDS: ServerThresholds = {
  memoryWarnPct: 90,
  memoryCriticalPct: 95,
  storageWarnPct: 90,
  storageCriticalPct: 95,
  cpuPerCoreWarnPct: 90,
  connectionsWarnPct: 80,
  routeRttWarnMs: 50,
  gatewayRttWarnMs: 50,
  leafRttWarnMs: 100,
  metaPendingWarn: 500,
  restartAlertForMs: 10 * 60_000,
  crashLoopStarts: 2,
  crashLoopWindowMs: 3_600_000,
  forgetAfterMs: DAY,
  credsWarnMs: 14 * DAY,
  credsCriticalMs: 3 * DAY,
};
