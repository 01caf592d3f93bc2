// Notices as the alert lifecycle queues them, for the notifier tests.
import type { Notice, NoticeKind } from "../../lib/alerts/alert.ts";
import { finding, type CheckId } from "../../lib/checks/catalog.ts";
import { fingerprint, type Finding, type FindingValue, type Subject } from "../../lib/findings/finding.ts";

export const T0 = Date.parse("2025-03-01T10:00:00.000Z");

export function noticeOf(f: Finding, kind: NoticeKind = "new", at = T0 + 60_000, firstSeen = T0): Notice {
  const fp = fingerprint(f);
  const n: Notice = { id: `${fp}#${kind}@${at}`, kind, fingerprint: fp, finding: f, at, firstSeen, attempts: 0 };
  if (kind === "resolved") n.durationMs = at - firstSeen;
  return n;
}

export function notice(
  id: CheckId,
  subject: Subject,
  summary: string,
  values: Record<string, FindingValue> = {},
  kind: NoticeKind = "new",
): Notice {
  return noticeOf(finding(id, subject, summary, values), kind);
}

/** `count` streams of account APP whose replica on `peer` is not seen: what a dead server causes. */
export function replicaStorm(count: number, peer = "c1-n2", kind: NoticeKind = "new", cluster = "c1"): Notice[] {
  return Array.from({ length: count }, (_, i) => {
    const stream = `ORDERS_${String(i).padStart(4, "0")}`;
    return notice(
      "stream_peer_seen",
      { cluster, account: "APP", stream, peer },
      `replica ${peer} of APP > ${stream} last seen 2m10s ago (threshold 1m)`,
      {
        active_ms: 130_000,
        threshold_ms: 60_000,
      },
      kind,
    );
  });
}

export const CTX = { cluster: "c1", slice: "streams" as const, runId: "run-1" };
