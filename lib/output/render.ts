// Renders the outcome of `lookout check`: text for people, JSON for scripts (the stable
// {"findings":[...]} contract, versioned by `schema`), Nagios plugin output, and Prometheus
// exposition text for the node_exporter textfile collector. Every format states one status, and
// it is the one the exit code says.
import type { AlertState } from "../alerts/alert.ts";
import { describeSubject } from "../findings/finding.ts";
import { countBySeverity, EXIT_CODES, overallStatus, type Status } from "../findings/status.ts";
import type { RunReport } from "../run/run-slice.ts";
import type { PerfItem } from "../slices/slice.ts";
import { formatDuration } from "../thresholds/duration.ts";

export const FORMATS = ["text", "json", "nagios", "prometheus"] as const;
export type Format = (typeof FORMATS)[number];

/** Version of the JSON document; bumped only when a field changes meaning or goes away. */
export const JSON_SCHEMA = "nats-lookout/check/v1";

/** What one `lookout check` produced: the runs it finished and what it could not do. */
export interface CheckOutcome {
  reports: RunReport[];
  /** Problems outside any finding: a run that did not finish, a slice skipped, a failed save. */
  problems: string[];
}

/** How long a resolved alert lasted: until the first run that no longer saw it. */
const lastedMs = (a: AlertState, resolvedAt: number): number => (a.clearSince ?? resolvedAt) - a.firstSeen;

/** The one status of a check: unknown when the monitor could not vouch for what it says. */
export function outcomeStatus(o: CheckOutcome): Status {
  const fromFindings = overallStatus(o.reports.flatMap((r) => r.findings));
  const failed = o.problems.length > 0 || o.reports.some((r) => r.errors.length > 0);
  return failed ? "unknown" : fromFindings;
}

export function exitCodeOf(o: CheckOutcome): number {
  return EXIT_CODES[outcomeStatus(o)];
}

const allFindings = (o: CheckOutcome) => o.reports.flatMap((r) => r.findings);
const allErrors = (o: CheckOutcome) => [
  ...o.problems,
  ...o.reports.flatMap((r) => r.errors.map((e) => `${r.slice}: ${e}`)),
];

/** `LOOKOUT <STATUS>: <what>`: the first stdout line of every format but JSON and Prometheus. */
export function statusLine(o: CheckOutcome): string {
  const status = outcomeStatus(o);
  const findings = allFindings(o);
  const shown = findings.slice(0, 3).map((f) => f.summary);
  if (findings.length > 3) shown.push(`and ${findings.length - 3} more`);
  const errors = allErrors(o);
  const what = [...(status === "unknown" ? errors.slice(0, 1) : []), ...shown];
  return `LOOKOUT ${status.toUpperCase()}: ${what.length ? [...new Set(what)].join("; ") : "no findings"}`;
}

/** A Nagios perfdata label=value[unit];warn;crit;min;max token. */
function perfToken(p: PerfItem): string {
  const value = p.unit === "s" ? p.value.toFixed(3) : String(p.value);
  const tail = [p.warning ?? "", p.critical ?? "", p.min ?? "", p.max ?? ""].map(String);
  while (tail.length && tail[tail.length - 1] === "") tail.pop();
  return `${p.name}=${value}${p.unit ?? ""}${tail.length ? `;${tail.join(";")}` : ""}`;
}

/** Every run's own numbers plus its duration, request count and finding counts. */
function perfItems(o: CheckOutcome): PerfItem[] {
  const c = countBySeverity(allFindings(o));
  return [
    ...o.reports.flatMap((r): PerfItem[] => [
      ...r.perf,
      {
        name: `${r.slice}_duration`,
        value: r.durationMs / 1000,
        unit: "s",
        help: `Duration of the ${r.slice} slice run.`,
        min: 0,
      },
      {
        name: `${r.slice}_requests`,
        value: r.requests.requests,
        help: `NATS requests made by the ${r.slice} slice run.`,
        min: 0,
      },
    ]),
    { name: "findings_critical", value: c.critical, help: "Critical findings.", min: 0 },
    { name: "findings_warning", value: c.warning, help: "Warning findings.", min: 0 },
  ];
}

function text(o: CheckOutcome): string {
  const lines = [statusLine(o)];
  for (const r of o.reports) {
    const c = countBySeverity(r.findings);
    lines.push(
      `${r.slice} slice, cluster ${r.cluster}: ${r.status.toUpperCase()} (${c.critical} critical, ${c.warning} warning) in ${formatDuration(r.durationMs)}, ${r.requests.requests} NATS request(s)`,
    );
    for (const f of r.findings) {
      lines.push(
        `  ${f.severity.toUpperCase().padEnd(8)} ${f.state.padEnd(8)} ${f.id}${f.code ? ` ${f.code}` : ""} [${describeSubject(f.subject)}]`,
      );
      lines.push(`           ${f.summary}`);
      lines.push(`           why: ${f.why}`);
      lines.push(`           do:  ${f.action}`);
    }
    for (const a of r.resolved)
      lines.push(
        `  RESOLVED          ${a.finding.id} [${describeSubject(a.finding.subject)}] after ${formatDuration(lastedMs(a, r.startedAt))}`,
      );
    for (const e of r.errors) lines.push(`  ERROR    ${e}`);
  }
  for (const p of o.problems) lines.push(`ERROR ${p}`);
  return lines.join("\n") + "\n";
}

function json(o: CheckOutcome): string {
  const { reports } = o;
  return (
    JSON.stringify(
      {
        schema: JSON_SCHEMA,
        status: outcomeStatus(o),
        findings: reports.flatMap((r) => r.findings.map((f) => ({ ...f, slice: r.slice }))),
        resolved: reports.flatMap((r) =>
          r.resolved.map((a) => ({
            id: a.finding.id,
            code: a.finding.code,
            subject: a.finding.subject,
            first_seen: new Date(a.firstSeen).toISOString(),
            duration_ms: lastedMs(a, r.startedAt),
            slice: r.slice,
          })),
        ),
        runs: reports.map((r) => ({
          slice: r.slice,
          cluster: r.cluster,
          status: r.status,
          duration_ms: r.durationMs,
          requests: r.requests.requests,
          bytes_received: r.requests.bytesReceived,
          errors: r.errors,
          superseded: r.superseded,
          perf: Object.fromEntries(r.perf.map((p) => [p.name, p.value])),
        })),
        errors: allErrors(o),
      },
      null,
      2,
    ) + "\n"
  );
}

function nagios(o: CheckOutcome): string {
  const details = allFindings(o).map((f) => `${f.severity.toUpperCase()}: ${f.summary}`);
  const extra = allErrors(o).map((e) => `ERROR: ${e}`);
  const head = `${statusLine(o)} | ${perfItems(o).map(perfToken).join(" ")}`;
  return [...new Set([head, ...details, ...extra])].join("\n") + "\n";
}

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (l: Record<string, string>) =>
  Object.keys(l).length
    ? `{${Object.entries(l)
        .map(([k, v]) => `${k}="${esc(v)}"`)
        .join(",")}}`
    : "";

function prometheus(o: CheckOutcome): string {
  const families = new Map<string, { help: string; samples: string[] }>();
  const add = (name: string, help: string, l: Record<string, string>, value: number) => {
    const fam = families.get(name) ?? { help, samples: [] };
    fam.samples.push(`${name}${labels(l)} ${value}`);
    families.set(name, fam);
  };
  add("lookout_status", "0 ok, 1 warning, 2 critical, 3 unknown (blind or failed).", {}, EXIT_CODES[outcomeStatus(o)]);
  for (const r of o.reports) {
    // No label may change while an alert lives (e.g. its age or lifecycle state): one series per alert.
    for (const f of r.findings) {
      const l: Record<string, string> = { slice: r.slice, check: f.id, code: f.code ?? "", severity: f.severity };
      for (const [k, v] of Object.entries(f.subject) as [string, string | undefined][]) if (v !== undefined) l[k] = v;
      add("lookout_finding", "A firing finding (1 per finding).", l, 1);
    }
    const c = countBySeverity(r.findings);
    for (const sev of ["critical", "warning", "info"] as const)
      add("lookout_findings", "Findings by severity.", { slice: r.slice, severity: sev }, c[sev]);
    add(
      "lookout_slice_status",
      "Status of each slice run: 0 ok, 1 warning, 2 critical, 3 unknown.",
      { slice: r.slice },
      EXIT_CODES[r.errors.length ? "unknown" : r.status],
    );
    add(
      "lookout_run_duration_seconds",
      "Duration of the slice run.",
      { slice: r.slice },
      Number((r.durationMs / 1000).toFixed(3)),
    );
    add("lookout_nats_requests", "NATS requests made by the run.", { slice: r.slice }, r.requests.requests);
    for (const p of r.perf) add(`lookout_${p.name}`, p.help, {}, p.value);
  }
  add(
    "lookout_last_run_timestamp_seconds",
    "When this file was written (Unix time).",
    {},
    Math.floor(Date.now() / 1000),
  );
  const out: string[] = [];
  for (const [name, fam] of families) out.push(`# HELP ${name} ${fam.help}`, `# TYPE ${name} gauge`, ...fam.samples);
  return out.join("\n") + "\n";
}

export function render(format: Format, o: CheckOutcome): string {
  switch (format) {
    case "text":
      return text(o);
    case "json":
      return json(o);
    case "nagios":
      return nagios(o);
    case "prometheus":
      return prometheus(o);
  }
}

/** What a check prints when it could not run at all (usage or configuration): one status line first. */
export function renderFailure(format: Format, message: string): string {
  const first = message.split("\n")[0] ?? message;
  if (format === "json")
    return (
      JSON.stringify(
        { schema: JSON_SCHEMA, status: "unknown", findings: [], resolved: [], runs: [], errors: [message] },
        null,
        2,
      ) + "\n"
    );
  return `LOOKOUT UNKNOWN: ${first}\n`;
}
