// Renders one SNS message for one part of a notice group, readable on every subscription protocol
// (`MessageStructure: json`): `default` and `email` get text for people, `sms` one short line,
// `sqs`/`https`/`lambda` the versioned JSON document. Pure: no clock, no I/O.
import { describeSubject, type Finding } from "../findings/finding.ts";
import { formatDuration } from "../thresholds/duration.ts";
import { checkTitle, clip, MAX_SUMMARY_CHARS, MAX_VALUE_CHARS, noticeGroupDocument } from "./document.ts";
import { clusterLabel, sharedValue, type GroupPart } from "./grouping.ts";
import type { Notice } from "../alerts/alert.ts";
import type { DeliveryContext } from "./notifier.ts";

/** SNS: a subject is ASCII, one line, "less than 100 characters". */
export const MAX_SUBJECT_CHARS = 99;
/** SNS: message, subject and attributes together, per message and per PublishBatch request. */
export const MAX_PUBLISH_BYTES = 262_144;
/** One SMS segment. */
export const MAX_SMS_CHARS = 160;
/** Members listed by name in the text body; the JSON document lists every member of its part. */
export const DEFAULT_LIST_LIMIT = 20;
/** Attribute value when a group's members differ in account or stream. */
export const MULTIPLE = "multiple";

/** The keys of a `MessageStructure: json` message; protocols not named here receive `default`. */
export interface ProtocolBodies {
  default: string;
  email: string;
  sms: string;
  sqs: string;
  https: string;
  lambda: string;
}

export interface SnsMessage {
  subject: string;
  /** JSON of `ProtocolBodies`. */
  message: string;
  /** String attributes subscriptions filter on. */
  attributes: Record<string, string>;
  /** What SNS counts against its size limit: message, subject and attributes. */
  bytes: number;
  /** Notices this message delivers. */
  noticeIds: string[];
}

export interface RenderOptions {
  listLimit: number;
}

const LABEL = { critical: "CRITICAL", warning: "WARNING", info: "INFO" } as const;

function label(p: GroupPart): string {
  if (p.group.state === "resolved") return "RESOLVED";
  return `${LABEL[p.group.severity]}${p.group.state === "reminder" ? " reminder" : ""}`;
}

/** ASCII only, one line (SNS rejects anything else in a subject; SMS stays in one encoding). */
export function asciiLine(s: string): string {
  return s
    .replace(/…/g, "...")
    .replace(/\s+/g, " ")
    .replace(/[^\x20-\x7e]/g, "?")
    .trim();
}

function clipAscii(s: string, max: number): string {
  const a = asciiLine(s);
  return a.length <= max ? a : `${a.slice(0, Math.max(0, max - 3)).trimEnd()}...`;
}

/** A subject without its cluster: every line names the cluster already (clusterLabel). */
const withoutCluster = (s: Finding["subject"]): string => describeSubject({ ...s, cluster: undefined });

const single = (p: GroupPart): Notice | undefined => (p.group.notices.length === 1 ? p.notices[0] : undefined);

/** Where, briefly: the single member's subject, else the server the group shares. */
function where(p: GroupPart): string {
  const one = single(p);
  if (one) return withoutCluster(one.finding.subject);
  const a = p.group.anchor;
  return a ? `${a.kind} ${a.name}` : "";
}

const countOf = (p: GroupPart) => (p.group.notices.length > 1 ? `${p.group.notices.length} alerts` : "");
const partOf = (p: GroupPart) => (p.parts > 1 ? ` [${p.part}/${p.parts}]` : "");

export function subjectLine(p: GroupPart): string {
  const detail = [countOf(p), where(p)].filter(Boolean).join(", ");
  const core = `[${label(p)}] ${checkTitle(p.group.check)}${detail ? `: ${detail}` : ""} (${clusterLabel(p.group)})`;
  const tail = partOf(p);
  return clipAscii(core, MAX_SUBJECT_CHARS - tail.length) + tail;
}

export function smsLine(p: GroupPart): string {
  const one = single(p);
  const detail = [countOf(p), where(p)].filter(Boolean).join(", ");
  const head = `${label(p)} ${checkTitle(p.group.check)}${detail ? `: ${detail}` : ""} (${clusterLabel(p.group)})${partOf(p)}`;
  let tail = "";
  if (one && p.group.state === "resolved") tail = ` cleared after ${formatDuration(one.durationMs ?? 0)}`;
  else if (one) tail = ` - ${one.finding.summary}`;
  return clipAscii(head + tail, MAX_SMS_CHARS);
}

const iso = (ms: number) => new Date(ms).toISOString();

function numbers(f: Finding): string {
  return Object.entries(f.values)
    .map(([k, v]) => `${k}=${typeof v === "string" ? clip(v, MAX_VALUE_CHARS) : String(v)}`)
    .join(", ");
}

function runbook(f: Finding, state: GroupPart["group"]["state"]): string[] {
  if (state === "resolved") return [];
  return [
    "",
    "Why it matters:",
    `  ${f.why}`,
    "",
    "What to do:",
    `  ${f.action}`,
    "",
    "Confirm with:",
    ...f.commands.map((c) => `  ${c}`),
  ];
}

function footer(p: GroupPart, ctx: DeliveryContext): string[] {
  const one = single(p);
  return [
    "",
    "--",
    `nats-lookout: cluster ${clusterLabel(p.group)}, slice ${ctx.slice}, run ${ctx.runId}`,
    ...(one ? [`alert ${one.fingerprint}`] : [`group ${p.group.key}`]),
  ];
}

function singleText(p: GroupPart, n: Notice, ctx: DeliveryContext): string {
  const f = n.finding;
  const title = `${label(p)}: ${checkTitle(f.id)} (${f.id}${f.code ? `, ${f.code}` : ""})`;
  const at = [`Cluster ${clusterLabel(p.group)}`, withoutCluster(f.subject)].filter(Boolean).join(", ");
  const summary = clip(f.summary, MAX_SUMMARY_CHARS);
  if (p.group.state === "resolved") {
    return [
      title,
      at,
      "",
      `Cleared after ${formatDuration(n.durationMs ?? 0)} (first seen ${iso(n.firstSeen)}, resolved ${iso(n.at)}).`,
      `Last reading: ${summary}`,
      ...footer(p, ctx),
    ].join("\n");
  }
  const since =
    p.group.state === "reminder"
      ? `Firing since ${iso(n.firstSeen)} (${formatDuration(n.at - n.firstSeen)})`
      : `First seen ${iso(n.firstSeen)}`;
  const nums = numbers(f);
  return [
    title,
    at,
    "",
    `What: ${summary}`,
    ...(nums ? [`Numbers: ${nums}`] : []),
    since,
    ...runbook(f, p.group.state),
    ...footer(p, ctx),
  ].join("\n");
}

function groupText(p: GroupPart, ctx: DeliveryContext, o: RenderOptions): string {
  const g = p.group;
  const first = p.notices[0]!.finding;
  const anchor = g.anchor ? `, ${g.anchor.kind} ${g.anchor.name}` : "";
  const title = `${label(p)}: ${checkTitle(g.check)} (${g.check}${first.code ? `, ${first.code}` : ""}), ${g.notices.length} alerts${anchor}`;
  const split =
    p.parts > 1 ? ` This message is part ${p.part} of ${p.parts} and carries ${p.notices.length} of them.` : "";
  const intro = `Cluster ${clusterLabel(g)}: ${g.notices.length} alerts of the same check${anchor ? ` on the same ${g.anchor!.kind}` : ""} ${g.state === "resolved" ? "cleared" : "fired"} together.${split}`;
  const listed = p.notices.slice(0, o.listLimit);
  const line = (n: Notice) => {
    // The shared server is in the heading already.
    const who =
      describeSubject({ ...n.finding.subject, ...(g.anchor ? { [g.anchor.kind]: undefined } : {}) }) || n.fingerprint;
    const s = clip(n.finding.summary, MAX_SUMMARY_CHARS);
    return g.state === "resolved"
      ? `  - ${who}: cleared after ${formatDuration(n.durationMs ?? 0)} (last: ${s})`
      : `  - ${who}: ${s}`;
  };
  const more = p.notices.length - listed.length;
  return [
    title,
    intro,
    "",
    `Alerts${more ? ` (${listed.length} of ${p.notices.length} listed)` : ""}:`,
    ...listed.map(line),
    ...(more
      ? [`  ... and ${more} more (the JSON document sent to SQS, HTTPS and Lambda subscribers lists every one)`]
      : []),
    ...runbook(first, g.state),
    ...footer(p, ctx),
  ].join("\n");
}

export function textBody(
  p: GroupPart,
  ctx: DeliveryContext,
  o: RenderOptions = { listLimit: DEFAULT_LIST_LIMIT },
): string {
  const one = single(p);
  return one ? singleText(p, one, ctx) : groupText(p, ctx, o);
}

/**
 * Attributes for subscription filter policies; account and stream are left out when no member has
 * one. SNS refuses a whole message over one empty attribute value, so empty values are left out too.
 */
export function messageAttributes(p: GroupPart): Record<string, string> {
  const g = p.group;
  const a: Record<string, string> = { severity: g.severity, check: g.check, cluster: g.cluster, state: g.state };
  if (g.serverCluster) a.server_cluster = g.serverCluster;
  for (const field of ["account", "stream"] as const) {
    const v = sharedValue(p.notices, field);
    if (v.kind === "one") a[field] = v.value;
    else if (v.kind === "several") a[field] = MULTIPLE;
  }
  for (const [k, v] of Object.entries(a)) if (v === "") delete a[k];
  return a;
}

export function publishBytes(subject: string, message: string, attributes: Record<string, string>): number {
  let n = Buffer.byteLength(message) + Buffer.byteLength(subject);
  for (const [k, v] of Object.entries(attributes)) n += Buffer.byteLength(k) + "String".length + Buffer.byteLength(v);
  return n;
}

export function renderMessage(
  p: GroupPart,
  ctx: DeliveryContext,
  o: RenderOptions = { listLimit: DEFAULT_LIST_LIMIT },
): SnsMessage {
  const text = textBody(p, ctx, o);
  const json = JSON.stringify(noticeGroupDocument(p, ctx));
  const bodies: ProtocolBodies = { default: text, email: text, sms: smsLine(p), sqs: json, https: json, lambda: json };
  const subject = subjectLine(p);
  const message = JSON.stringify(bodies);
  const attributes = messageAttributes(p);
  return {
    subject,
    message,
    attributes,
    bytes: publishBytes(subject, message, attributes),
    noticeIds: p.notices.map((n) => n.id),
  };
}
