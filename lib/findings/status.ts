// The overall status of a run is derived in one place from its findings (as jsm.go's prepare()).
import type { Finding } from "./finding.ts";

export type Status = "ok" | "warning" | "critical" | "unknown";

/** Nagios plugin exit codes. */
export const EXIT_CODES: Record<Status, number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };

/** Check ids meaning the monitor could not see (part of) what it watches. */
export const BLIND_CHECK_ID = "monitor_blind";

export function overallStatus(findings: readonly Pick<Finding, "id" | "severity">[]): Status {
  if (findings.some((f) => f.id === BLIND_CHECK_ID)) return "unknown";
  if (findings.some((f) => f.severity === "critical")) return "critical";
  if (findings.some((f) => f.severity === "warning")) return "warning";
  return "ok";
}

export function countBySeverity(findings: readonly Pick<Finding, "severity">[]): Record<Finding["severity"], number> {
  const out = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) out[f.severity]++;
  return out;
}
