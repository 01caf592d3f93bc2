// Wire shapes (JSZ stream detail, STREAM.LIST info) to the snapshot's types, in the monitor's units.
// Shared by both collection modes; defensive about fields older servers omit.
import type { StreamDetailWire, StreamSourceInfoWire } from "../nats/wire.ts";
import type { StreamUpstream, StreamView } from "../snapshot/streams.ts";
import { parsePeers } from "./peers.ts";

export { parsePeers };
import { nanosToMs } from "../thresholds/duration.ts";

/** A bound on pages a run asks for, whatever the servers say about totals. */
export const MAX_PAGES = 10_000;

export { num, time } from "./values.ts";
import { num, time, type EntrySource } from "./values.ts";

/** `$JS.<domain>.API` names a domain; any other prefix is an account import. */
export function domainOfApi(api: string | undefined): string | undefined {
  const m = api ? /^\$JS\.([^.]+)\.API$/.exec(api.trim()) : null;
  return m ? m[1] : undefined;
}

export function parseUpstream(w: StreamSourceInfoWire): StreamUpstream {
  const u: StreamUpstream = {
    name: String(w.name ?? ""),
    lag: num(w.lag),
    activeMs: num(w.active, -1) < 0 ? -1 : nanosToMs(num(w.active)),
    filtered: Boolean(w.filter_subject) || (Array.isArray(w.subject_transforms) && w.subject_transforms.length > 0),
  };
  const api = w.external?.api;
  if (api) {
    u.api = api;
    const d = domainOfApi(api);
    if (d) u.domain = d;
  }
  const e = w.error;
  if (e && (e.description || e.code)) u.error = `${e.description ?? "error"} (${e.code ?? "?"}/${e.err_code ?? "?"})`;
  return u;
}

type EntryLike = Pick<StreamDetailWire, "name" | "created" | "cluster" | "config" | "state" | "mirror" | "sources">;

/** One entry (JSZ stream detail or STREAM.LIST info) as a view, from the server that sent it. */
export function streamView(e: EntryLike, where: EntrySource, status: StreamView["status"]): StreamView {
  const peers = parsePeers(e.cluster?.replicas);
  const v: StreamView = {
    account: where.account,
    name: e.name,
    replicas: num(e.config?.num_replicas, status === "led" ? peers.length + 1 : Math.max(1, peers.length)),
    status,
    peers,
    holders: [where.reportedBy],
    sources: (e.sources ?? []).map(parseUpstream),
    messages: num(e.state?.messages),
    lastSeq: num(e.state?.last_seq),
    subjects: num(e.state?.num_subjects),
    bytes: num(e.state?.bytes),
    reportedBy: where.reportedBy,
  };
  if (where.domain) v.domain = where.domain;
  const cluster = e.cluster?.name ?? where.cluster;
  if (cluster) v.cluster = cluster;
  if (status === "led") v.leader = e.cluster?.leader ?? where.reportedBy;
  const since = time(e.cluster?.leader_since);
  if (status === "led" && since !== undefined && where.serverNow !== undefined)
    v.leaderForMs = Math.max(0, where.serverNow - since);
  if (e.mirror) v.mirror = parseUpstream(e.mirror);
  const created = time(e.created);
  if (created !== undefined && where.serverNow !== undefined) v.ageMs = Math.max(0, where.serverNow - created);
  const maxMsgs = num(e.config?.max_msgs, -1);
  if (maxMsgs > 0) v.maxMsgs = maxMsgs;
  const maxBytes = num(e.config?.max_bytes, -1);
  if (maxBytes > 0) v.maxBytes = maxBytes;
  const md = e.config?.metadata;
  if (md && typeof md === "object") v.metadata = { ...md };
  return v;
}
