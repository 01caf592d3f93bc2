// What a run tells CloudWatch: one structured log line and a set of EMF metrics (Powertools), named
// in metric-names.ts so the stack's dashboard graphs exactly these.
import type { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";
import { SEVERITIES } from "../findings/finding.ts";
import { countBySeverity } from "../findings/status.ts";
import type { RunReport } from "../run/run-slice.ts";
import { CORE_SEVERITIES, METRIC_DIMENSIONS as DIM, METRIC_NAMES as M } from "./metric-names.ts";

export interface MetricOptions {
  /** Also emit the detailed series (NATS cost, notices, history bytes, info findings, per check). */
  detailed: boolean;
}

/**
 * Emits the run's metrics. The core series go out every run (zeros too) so graphs and alarms see a
 * continuous series; detailed ones only when asked for (each series costs as much as a month of
 * the rest of the deployment). Per-check counts are in the log line either way.
 */
export function recordRunMetrics(report: RunReport, metrics: Metrics, o: MetricOptions = { detailed: false }): void {
  const bySeverity = countBySeverity(report.findings);
  const severities = o.detailed ? SEVERITIES : CORE_SEVERITIES;
  for (const severity of severities) {
    metrics
      .singleMetric()
      .addDimension(DIM.severity, severity)
      .addMetric(M.findings, MetricUnit.Count, bySeverity[severity]);
  }
  metrics.addMetric(M.blind, MetricUnit.Count, report.status === "unknown" ? 1 : 0);
  metrics.addMetric(M.partial, MetricUnit.Count, report.findings.some((f) => f.id === "monitor_partial") ? 1 : 0);
  metrics.addMetric(M.runDuration, MetricUnit.Milliseconds, report.durationMs);
  if (!o.detailed) return;
  for (const [check, n] of countByCheck(report))
    metrics.singleMetric().addDimension(DIM.check, check).addMetric(M.findings, MetricUnit.Count, n);
  metrics.addMetric(M.natsRequests, MetricUnit.Count, report.requests.requests);
  metrics.addMetric(M.natsBytes, MetricUnit.Bytes, report.requests.bytesReceived);
  metrics.addMetric(M.noticesSent, MetricUnit.Count, report.notices.sent.length);
  metrics.addMetric(M.noticesFailed, MetricUnit.Count, report.notices.failed);
  metrics.addMetric(M.runErrors, MetricUnit.Count, report.errors.length);
  metrics.addMetric(
    M.historyBytes,
    MetricUnit.Bytes,
    report.history.saves.reduce((s, x) => s + x.bytes, 0),
  );
}

function countByCheck(report: RunReport): Map<string, number> {
  const byCheck = new Map<string, number>();
  for (const f of report.findings) byCheck.set(f.id, (byCheck.get(f.id) ?? 0) + 1);
  return byCheck;
}

/** The structured log line of a run: the numbers and each finding, secret-free by construction
 * (findings carry server names and counts; connection errors were scrubbed when described). */
export function logRun(report: RunReport, logger: Logger, extra: Record<string, unknown> = {}): void {
  const entry = {
    run: {
      id: report.runId,
      slice: report.slice,
      cluster: report.cluster,
      historyKey: report.historyKey,
      status: report.status,
      durationMs: report.durationMs,
      findings: report.findings.length,
      bySeverity: countBySeverity(report.findings),
      // Logs Insights counts per check from here (per-check metrics are opt-in).
      byCheck: Object.fromEntries(countByCheck(report)),
      requests: report.requests,
      notices: { sent: report.notices.sent.length, pending: report.notices.pending, failed: report.notices.failed },
      resolved: report.resolved.length,
      history: { loadedVersion: report.history.loadedVersion, saves: report.history.saves },
      superseded: report.superseded,
      errors: report.errors,
      ...extra,
    },
    findings: report.findings.map((f) => ({
      id: f.id,
      code: f.code,
      severity: f.severity,
      state: f.state,
      subject: f.subject,
      summary: f.summary,
    })),
  };
  if (report.status === "unknown" || report.errors.length) logger.error("run finished", entry);
  else if (report.status === "ok") logger.info("run finished", entry);
  else logger.warn("run finished", entry);
}
