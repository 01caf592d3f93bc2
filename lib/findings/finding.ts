// The one Finding type every check produces. Its JSON names are a contract for scripts and
// other tools (issue 2): later changes add fields, never rename.

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Where a finding applies. Only the fields that make sense for it are set. */
export interface Subject {
  cluster?: string;
  account?: string;
  stream?: string;
  /** A consumer of `stream`. */
  consumer?: string;
  server?: string;
  peer?: string;
  /** A mirror's or source's upstream stream name. */
  source?: string;
}

export type FindingValue = number | string | boolean | null;

export interface Finding {
  /** Stable check id (e.g. `meta_peer_seen`). */
  id: string;
  /** Public catalog code (e.g. `META_001`) or null where the catalog has none. */
  code: string | null;
  severity: Severity;
  /** One line with the numbers. */
  summary: string;
  subject: Subject;
  /** Why it matters, from the check's definition. */
  why: string;
  /** What to do next. */
  action: string;
  /** `nats` commands that confirm it. */
  commands: string[];
  /** The observed values and the thresholds that fired it. */
  values: Record<string, FindingValue>;
}

const SUBJECT_ORDER: (keyof Subject)[] = ["cluster", "account", "stream", "consumer", "source", "server", "peer"];

/** Identity of a finding across runs: its check plus its subject (not its numbers). */
export function fingerprint(f: Pick<Finding, "id" | "subject">): string {
  const parts = SUBJECT_ORDER.filter((k) => f.subject[k] !== undefined).map((k) => `${k}=${f.subject[k]}`);
  return [f.id, ...parts].join("|");
}

export function describeSubject(s: Subject): string {
  const parts: string[] = [];
  if (s.account && s.stream) parts.push(`${s.account} > ${s.stream}`);
  else if (s.stream) parts.push(s.stream);
  else if (s.account) parts.push(`account ${s.account}`);
  if (s.consumer) parts.push(`consumer ${s.consumer}`);
  if (s.source) parts.push(`source ${s.source}`);
  if (s.peer) parts.push(`peer ${s.peer}`);
  if (s.server) parts.push(`server ${s.server}`);
  if (parts.length === 0 && s.cluster) parts.push(`cluster ${s.cluster}`);
  return parts.join(", ");
}
