// The consumers slice's findings, built from their definitions in lib/checks/catalog.ts.
import type { FindingValue, Severity, Subject, Finding } from "../../findings/finding.ts";
import { finding, type CheckId } from "../catalog.ts";

export type ConsumerCheckId = Extract<CheckId, `consumer_${string}`>;

export function consumerFinding(
  id: ConsumerCheckId,
  subject: Subject,
  summary: string,
  values: Record<string, FindingValue> = {},
  severity?: Severity,
): Finding {
  return finding(id, subject, summary, values, severity);
}
