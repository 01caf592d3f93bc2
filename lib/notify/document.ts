// The structured form of a notice (JSON lines, SNS JSON subscribers). Versioned: fields are added,
// never renamed.
import type { Notice } from "../alerts/alert.ts";
import type { Finding } from "../findings/finding.ts";
import type { DeliveryContext } from "./notifier.ts";

export const NOTICE_SCHEMA_VERSION = 1;

export interface NoticeDocument {
  schema: "nats-lookout/notice";
  version: typeof NOTICE_SCHEMA_VERSION;
  state: Notice["kind"];
  id: string;
  fingerprint: string;
  cluster: string;
  slice: string;
  at: string;
  first_seen: string;
  duration_ms?: number;
  finding: Finding;
}

export function noticeDocument(n: Notice, ctx: DeliveryContext): NoticeDocument {
  const d: NoticeDocument = {
    schema: "nats-lookout/notice",
    version: NOTICE_SCHEMA_VERSION,
    state: n.kind,
    id: n.id,
    fingerprint: n.fingerprint,
    cluster: ctx.cluster,
    slice: ctx.slice,
    at: new Date(n.at).toISOString(),
    first_seen: new Date(n.firstSeen).toISOString(),
    finding: n.finding,
  };
  if (n.durationMs !== undefined) d.duration_ms = n.durationMs;
  return d;
}
