// The monitor's own credentials: its user JWT (from the creds file) and its account's JWT (as the
// servers hold it, where visible) expiring within the warning threshold (critical within the
// critical one, or expired), as `nats server check credential` judges a JWT, so the monitor never
// goes blind on a date nobody remembered.
import { finding } from "../catalog.ts";
import type { Finding, Severity, Subject } from "../../findings/finding.ts";
import type { ServersSnapshot } from "../../snapshot/servers.ts";
import { formatDuration } from "../../thresholds/duration.ts";
import type { ServerThresholds } from "./thresholds.ts";

interface Expiry {
  left: number;
  when: string;
  severity: Severity;
  values: Record<string, number | string>;
}

function expiry(expiresAt: number | undefined, at: number, t: ServerThresholds): Expiry | undefined {
  if (!expiresAt) return undefined;
  const left = expiresAt - at;
  if (left > t.credsWarnMs) return undefined;
  const when = new Date(expiresAt).toISOString();
  return {
    left,
    when,
    severity: left <= t.credsCriticalMs ? "critical" : "warning",
    values: { expires_at: when, left_ms: left, warning_ms: t.credsWarnMs, critical_ms: t.credsCriticalMs },
  };
}

const due = (e: Expiry) => (e.left <= 0 ? `expired at ${e.when}` : `expires in ${formatDuration(e.left)} (${e.when})`);

export function credentialFindings(snap: ServersSnapshot, t: ServerThresholds): Finding[] {
  const c = snap.credentials;
  if (!c) return [];
  const out: Finding[] = [];
  const subject: Subject = snap.cluster ? { cluster: snap.cluster } : {};
  const user = expiry(c.expiresAt, snap.collectedAt, t);
  if (user) {
    const summary = `the monitor's user JWT (${c.file}) ${due(user)}`;
    out.push(finding("monitor_credentials_expiring", subject, summary, user.values, user.severity));
  }
  const a = c.accountJwt;
  const acct = expiry(a?.expiresAt, snap.collectedAt, t);
  if (a && acct) {
    const label = a.name ? `${a.name} (${a.account})` : a.account;
    const summary = `the monitor's account JWT, account ${label}, ${due(acct)} on ${a.server ?? "?"}`;
    const values = { ...acct.values, ...(a.server ? { server: a.server } : {}) };
    out.push(finding("monitor_account_expiring", { ...subject, account: a.account }, summary, values, acct.severity));
  }
  return out;
}
