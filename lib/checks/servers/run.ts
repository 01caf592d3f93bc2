// The servers slice's judge: every family of checks over one snapshot and the last run's memory.
import { finding } from "../catalog.ts";
import type { Finding } from "../../findings/finding.ts";
import type { ServersSnapshot } from "../../snapshot/servers.ts";
import { accountFindings } from "./accounts.ts";
import { consistencyFindings } from "./consistency.ts";
import { credentialFindings } from "./credentials.ts";
import { healthFindings } from "./health.ts";
import { historyFindings } from "./history.ts";
import { linkFindings } from "./links.ts";
import { observeServers, type ServersObservation } from "./observation.ts";
import { resourceFindings } from "./resources.ts";
import type { ServerThresholds } from "./thresholds.ts";

export function judgeServers(
  snap: ServersSnapshot,
  prev: ServersObservation | undefined,
  t: ServerThresholds,
): { findings: Finding[]; observation: ServersObservation } {
  const subject = snap.cluster ? { cluster: snap.cluster } : {};
  const observation = observeServers(snap, prev, t);
  // The credentials are read from a file: they are judged even when no server answered.
  if (snap.blind)
    return {
      findings: [
        finding("monitor_blind", subject, `monitor is blind: ${snap.blind}`, { reason: snap.blind }),
        ...credentialFindings(snap, t),
      ],
      observation,
    };
  const findings = [
    ...healthFindings(snap),
    ...resourceFindings(snap, t),
    ...historyFindings(snap, prev, observation, t),
    ...accountFindings(snap, prev),
    ...consistencyFindings(snap, prev, t),
    ...linkFindings(snap, observation, t),
    ...credentialFindings(snap, t),
  ];
  if (snap.problems.length)
    findings.push(
      finding("monitor_partial", subject, `servers slice saw part of the cluster: ${snap.problems.join("; ")}`, {
        problems: snap.problems.length,
      }),
    );
  return { findings, observation };
}
