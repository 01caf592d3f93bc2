// `alerts.severity.<check id>`: a team decides how loud each check is (its pager may take critical
// only). Applied to a run's findings before they are reconciled into alerts, so the alert, its
// notices, the SNS `severity` attribute and the exit status all carry the configured severity.
import type { Finding } from "../findings/finding.ts";
import type { CheckId } from "./catalog.ts";

export const SEVERITY_CHOICES = ["critical", "warning", "off"] as const;
export type SeverityChoice = (typeof SEVERITY_CHOICES)[number];
export type SeverityPolicy = Partial<Record<CheckId, SeverityChoice>>;

/** Checks that cannot be turned off: the monitor never goes silent about not seeing. */
export const ALWAYS_ON: readonly CheckId[] = ["monitor_blind"];

/** The findings as the policy wants them: a check set to `off` is dropped, others take the configured severity. */
export function applySeverityPolicy(findings: Finding[], policy: SeverityPolicy | undefined): Finding[] {
  if (!policy) return findings;
  const entries = Object.entries(policy);
  if (entries.length === 0) return findings;
  const by = new Map<string, SeverityChoice>(entries);
  const out: Finding[] = [];
  for (const f of findings) {
    const want = by.get(f.id);
    if (want === undefined) out.push(f);
    else if (want !== "off") out.push(want === f.severity ? f : { ...f, severity: want });
  }
  return out;
}
