// Names of the per-run CloudWatch metrics (EMF through Powertools). The handler emits them and the
// CDK dashboard graphs them: one definition, so the dashboard never shows a metric nobody emits.
export const METRIC_NAMESPACE = "NatsLookout";

/** Powertools adds this dimension to every metric, valued with the service name. */
export const SERVICE_DIMENSION = "service";

export const METRIC_DIMENSIONS = {
  slice: "Slice",
  severity: "Severity",
  check: "Check",
} as const;

export const METRIC_NAMES = {
  /** Findings of a run: per severity (every run, zeros included) and per check (only checks that fired). */
  findings: "Findings",
  /** 1 when the run could not see the cluster at all, else 0. */
  blind: "Blind",
  /** 1 when part of the cluster was silent to the run (a `monitor_partial` finding), else 0. */
  partial: "Partial",
  /** NATS requests the run made, and the payload bytes they returned. */
  natsRequests: "NatsRequests",
  natsBytes: "NatsBytesReceived",
  /** Wall time of the run, from history load to the last save. */
  runDuration: "RunDuration",
  /** Notices delivered to SNS by this run, and those that failed (kept for the next run). */
  noticesSent: "NoticesSent",
  noticesFailed: "NoticesFailed",
  /** Problems that fail the run loudly (history or notifier failures). */
  runErrors: "RunErrors",
  /** Bytes the run wrote to the history table. */
  historyBytes: "HistoryBytesWritten",
} as const;

/**
 * Custom metrics cost $0.30 a series a month, more than the rest of the deployment: by default a
 * run emits only what an alarm or the dashboard needs. The rest is in the "run finished" log line
 * (Logs Insights counts it) and, with detailed metrics on, metrics too.
 */
export const CORE_SEVERITIES = ["critical", "warning"] as const;
export const CORE_METRICS = [METRIC_NAMES.blind, METRIC_NAMES.partial, METRIC_NAMES.runDuration] as const;
export const DETAILED_METRICS = [
  METRIC_NAMES.natsRequests,
  METRIC_NAMES.natsBytes,
  METRIC_NAMES.noticesSent,
  METRIC_NAMES.noticesFailed,
  METRIC_NAMES.runErrors,
  METRIC_NAMES.historyBytes,
] as const;

/** Powertools' own cold start metric (dimensions: service, function_name). */
export const COLD_START_METRIC = "ColdStart";
