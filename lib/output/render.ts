// Renders run reports for `lookout check`: text for people, JSON for scripts (the stable
// {"findings":[...]} contract), Nagios plugin output, and Prometheus exposition text.
import type { AlertState } from "../alerts/alert.ts";
import { describeSubject } from "../findings/finding.ts";
import { countBySeverity, EXIT_CODES, overallStatus, type Status } from "../findings/status.ts";
import type { RunReport } from "../run/run-slice.ts";
import { formatDuration } from "../thresholds/duration.ts";

export const FORMATS = ["text", "json", "nagios", "prometheus"] as const;
export type Format = (typeof FORMATS)[number];

/** How long a resolved alert lasted: until the first run that no longer saw it. */
const lastedMs = (a: AlertState, resolvedAt: number): number => (a.clearSince ?? resolvedAt) - a.firstSeen;

export function combinedStatus(reports: readonly RunReport[]): Status {
  return overallStatus(reports.flatMap((r) => r.findings));
}

export function exitCode(reports: readonly RunReport[]): number {
  return EXIT_CODES[combinedStatus(reports)];
}

function text(reports: readonly RunReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    const c = countBySeverity(r.findings);
    lines.push(`${r.slice} slice, cluster ${r.cluster}: ${r.status.toUpperCase()} (${c.critical} critical, ${c.warning} warning) in ${formatDuration(r.durationMs)}, ${r.requests.requests} NATS request(s)`);
    for (const f of r.findings) {
      lines.push(`  ${f.severity.toUpperCase().padEnd(8)} ${f.state.padEnd(8)} ${f.id}${f.code ? ` ${f.code}` : ""} [${describeSubject(f.subject)}]`);
      lines.push(`           ${f.summary}`);
      lines.push(`           why: ${f.why}`);
      lines.push(`           do:  ${f.action}`);
    }
    for (const a of r.resolved) lines.push(`  RESOLVED          ${a.finding.id} [${describeSubject(a.finding.subject)}] after ${formatDuration(lastedMs(a, r.startedAt))}`);
    for (const e of r.errors) lines.push(`  ERROR    ${e}`);
  }
  return lines.join("\n") + "\n";
}

function json(reports: readonly RunReport[]): string {
  return JSON.stringify({
    status: combinedStatus(reports),
    findings: reports.flatMap((r) => r.findings.map((f) => ({ ...f, slice: r.slice }))),
    resolved: reports.flatMap((r) => r.resolved.map((a) => ({ id: a.finding.id, code: a.finding.code, subject: a.finding.subject, first_seen: new Date(a.firstSeen).toISOString(), duration_ms: lastedMs(a, r.startedAt), slice: r.slice }))),
    runs: reports.map((r) => ({ slice: r.slice, cluster: r.cluster, status: r.status, duration_ms: r.durationMs, requests: r.requests.requests, bytes_received: r.requests.bytesReceived, errors: r.errors, superseded: r.superseded })),
  }, null, 2) + "\n";
}

function nagios(reports: readonly RunReport[]): string {
  const status = combinedStatus(reports);
  const all = reports.flatMap((r) => r.findings);
  const c = countBySeverity(all);
  const head = all.length ? all.slice(0, 3).map((f) => f.summary).join("; ") + (all.length > 3 ? `; and ${all.length - 3} more` : "") : "no findings";
  const perf = [`critical=${c.critical}`, `warning=${c.warning}`, ...reports.map((r) => `${r.slice}_requests=${r.requests.requests}`), ...reports.map((r) => `${r.slice}_duration=${(r.durationMs / 1000).toFixed(3)}s`)];
  const details = all.map((f) => `${f.severity.toUpperCase()}: ${f.summary}`);
  return [`LOOKOUT ${status.toUpperCase()}: ${head} | ${perf.join(" ")}`, ...details].join("\n") + "\n";
}

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function prometheus(reports: readonly RunReport[]): string {
  const out: string[] = [
    "# HELP lookout_finding A firing finding (1 per finding).",
    "# TYPE lookout_finding gauge",
  ];
  for (const r of reports) {
    for (const f of r.findings) {
      const labels: Record<string, string> = { slice: r.slice, check: f.id, code: f.code ?? "", severity: f.severity, state: f.state };
      for (const [k, v] of Object.entries(f.subject)) if (v !== undefined) labels[k] = v;
      out.push(`lookout_finding{${Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`).join(",")}} 1`);
    }
  }
  out.push("# HELP lookout_findings Findings by severity.", "# TYPE lookout_findings gauge");
  for (const r of reports) {
    const c = countBySeverity(r.findings);
    for (const sev of ["critical", "warning", "info"] as const) out.push(`lookout_findings{slice="${r.slice}",severity="${sev}"} ${c[sev]}`);
  }
  out.push("# HELP lookout_status 0 ok, 1 warning, 2 critical, 3 unknown (blind).", "# TYPE lookout_status gauge");
  for (const r of reports) out.push(`lookout_status{slice="${r.slice}"} ${EXIT_CODES[r.status]}`);
  out.push("# HELP lookout_run_duration_seconds Duration of the slice run.", "# TYPE lookout_run_duration_seconds gauge");
  for (const r of reports) out.push(`lookout_run_duration_seconds{slice="${r.slice}"} ${(r.durationMs / 1000).toFixed(3)}`);
  out.push("# HELP lookout_nats_requests NATS requests made by the run.", "# TYPE lookout_nats_requests gauge");
  for (const r of reports) out.push(`lookout_nats_requests{slice="${r.slice}"} ${r.requests.requests}`);
  return out.join("\n") + "\n";
}

export function render(format: Format, reports: readonly RunReport[]): string {
  switch (format) {
    case "text": return text(reports);
    case "json": return json(reports);
    case "nagios": return nagios(reports);
    case "prometheus": return prometheus(reports);
  }
}
