// The monitor's own user JWT: expiring within the warning threshold (critical within the critical
// one, or expired), as `nats server check credential` judges it, so the monitor never goes blind on
// a date nobody remembered.
import { finding } from "../catalog.ts";
import type { Finding } from "../../findings/finding.ts";
import type { ServersSnapshot } from "../../snapshot/servers.ts";
import { formatDuration } from "../../thresholds/duration.ts";
import type { ServerThresholds } from "./thresholds.ts";

export function credentialFindings(snap: ServersSnapshot, t: ServerThresholds): Finding[] {
  const c = snap.credentials;
  if (!c?.expiresAt) return [];
  const left = c.expiresAt - snap.collectedAt;
  if (left > t.credsWarnMs) return [];
  const subject = snap.cluster ? { cluster: snap.cluster } : {};
  const sev = left <= t.credsCriticalMs ? "critical" : "warning";
  const when = new Date(c.expiresAt).toISOString();
  const summary =
    left <= 0
      ? `the monitor's user JWT (${c.file}) expired at ${when}`
      : `the monitor's user JWT (${c.file}) expires in ${formatDuration(left)} (${when})`;
  return [
    finding(
      "monitor_credentials_expiring",
      subject,
      summary,
      { expires_at: when, left_ms: left, warning_ms: t.credsWarnMs, critical_ms: t.credsCriticalMs },
      sev,
    ),
  ];
}
