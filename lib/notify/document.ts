// The structured form of a notice (JSON lines, SNS JSON subscribers). Versioned: fields are added,
// never renamed.
import type { Notice } from "../alerts/alert.ts";
import type { Finding } from "../findings/finding.ts";
import type { DeliveryContext } from "./notifier.ts";
import type { GroupPart } from "./grouping.ts";
import { CHECKS } from "../checks/catalog.ts";

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

// ---- Grouped notices (SNS JSON subscribers: SQS, HTTPS, Lambda). One document per message; a
// group split over several messages carries `part`/`parts`, and its members are in exactly one part.

export const NOTICE_GROUP_SCHEMA_VERSION = 1;

/** Longest summary and string value carried, so that one finding always fits in one message. */
export const MAX_SUMMARY_CHARS = 2000;
export const MAX_VALUE_CHARS = 500;

export interface NoticeGroupMember {
  id: string;
  fingerprint: string;
  at: string;
  first_seen: string;
  duration_ms?: number;
  subject: Finding["subject"];
  summary: string;
  values: Finding["values"];
  /** Only when this member's commands differ from the group's. */
  commands?: string[];
}

export interface NoticeGroupDocument {
  schema: "nats-lookout/notice-group";
  version: typeof NOTICE_GROUP_SCHEMA_VERSION;
  state: Notice["kind"];
  cluster: string;
  slice: string;
  run_id: string;
  group: {
    key: string;
    check: string;
    code: string | null;
    title: string;
    severity: Finding["severity"];
    /** The cluster of the servers the members name, where it is not `cluster` (a supercluster's member). */
    server_cluster?: string;
    /** The server the members share, when they share one. */
    peer?: string;
    server?: string;
    /** Members of the whole group, across parts. */
    total: number;
    part: number;
    parts: number;
  };
  why: string;
  action: string;
  commands: string[];
  notices: NoticeGroupMember[];
}

export const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

export function checkTitle(id: string): string {
  return CHECKS.find((c) => c.id === id)?.title ?? id;
}

function member(n: Notice, groupCommands: readonly string[]): NoticeGroupMember {
  const f = n.finding;
  const values: Finding["values"] = {};
  for (const [k, v] of Object.entries(f.values)) values[k] = typeof v === "string" ? clip(v, MAX_VALUE_CHARS) : v;
  const m: NoticeGroupMember = {
    id: n.id,
    fingerprint: n.fingerprint,
    at: new Date(n.at).toISOString(),
    first_seen: new Date(n.firstSeen).toISOString(),
    subject: f.subject,
    summary: clip(f.summary, MAX_SUMMARY_CHARS),
    values,
  };
  if (n.durationMs !== undefined) m.duration_ms = n.durationMs;
  if (f.commands.join("\n") !== groupCommands.join("\n")) m.commands = f.commands;
  return m;
}

export function noticeGroupDocument(p: GroupPart, ctx: DeliveryContext): NoticeGroupDocument {
  const g = p.group;
  const first = (p.notices[0] ?? g.notices[0])!.finding;
  const d: NoticeGroupDocument = {
    schema: "nats-lookout/notice-group",
    version: NOTICE_GROUP_SCHEMA_VERSION,
    state: g.state,
    cluster: g.cluster,
    slice: ctx.slice,
    run_id: ctx.runId,
    group: {
      key: g.key,
      check: g.check,
      code: first.code,
      title: checkTitle(g.check),
      severity: g.severity,
      total: g.notices.length,
      part: p.part,
      parts: p.parts,
    },
    why: first.why,
    action: first.action,
    commands: first.commands,
    notices: p.notices.map((n) => member(n, first.commands)),
  };
  if (g.serverCluster) d.group.server_cluster = g.serverCluster;
  if (g.anchor) d.group[g.anchor.kind] = g.anchor.name;
  return d;
}
