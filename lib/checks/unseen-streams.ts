// Streams no reply mentions this run, named from history. An R1 stream on a dead or hung server
// (or a stream whose holders are all silent) appears in no JSZ reply: without memory of where it
// lived, the run could only say "some servers are silent". The streams observation keeps each
// stream's last known placement (grouped by the set of servers holding it, so the document grows by
// one stream key per stream, not by a record per stream); a stream whose every last known holder
// is silent gets its own critical finding, so a subscription filtered by account or stream sees it.
import type { Finding } from "../findings/finding.ts";
import type { StreamsSnapshot, StreamView } from "../snapshot/streams.ts";
import { streamKey } from "../snapshot/streams.ts";
import { finding } from "./catalog.ts";
import { label, subjectOf } from "./stream-subject.ts";

/** Servers holding a group of streams (sorted, joined by ",") -> their stream keys. */
export type Placements = Record<string, string[]>;

/** Where a stream lives, as its view shows: the leader and its followers, or every holder and member when leaderless. */
export function holdersOf(v: StreamView): string[] {
  const names = new Set<string>();
  if (v.status === "led" && v.leader) names.add(v.leader);
  if (v.status === "leaderless") for (const h of v.holders) names.add(h);
  for (const p of v.peers) names.add(p.name);
  if (!names.size) for (const h of v.holders) names.add(h);
  return [...names].sort();
}

/** `domain/account/name` back into its parts (stream names cannot contain `/`). */
export function parseStreamKey(key: string): { domain?: string; account: string; name: string } {
  const first = key.indexOf("/");
  const last = key.lastIndexOf("/");
  const domain = key.slice(0, first);
  const out: { domain?: string; account: string; name: string } = { account: key.slice(first + 1, last), name: key.slice(last + 1) };
  if (domain) out.domain = domain;
  return out;
}

function add(p: Placements, holders: string, key: string): void {
  (p[holders] ??= []).push(key);
}

export interface UnseenResult {
  findings: Finding[];
  /** This run's placements: every stream it saw, plus those it could not see that are remembered. */
  placements: Placements;
}

/**
 * Judges the streams earlier runs placed that this run did not see at all (system mode). A stream
 * not seen while one of its last known holders answered is gone (deleted or moved): forgotten. A
 * stream listed as not judged (its leader silent, followers answering) keeps its placement.
 */
export function unseenStreams(snap: StreamsSnapshot, previous: Placements | undefined): UnseenResult {
  const placements: Placements = {};
  const seen = new Set<string>();
  for (const v of snap.streams) {
    const k = streamKey(v);
    seen.add(k);
    add(placements, holdersOf(v).join(","), k);
  }
  const gaps = new Set(snap.gaps.map(streamKey));
  const answered = new Set(snap.servers.map((s) => s.name));
  const findings: Finding[] = [];
  for (const [group, keys] of Object.entries(previous ?? {})) {
    const holders = group ? group.split(",") : [];
    const allSilent = holders.length > 0 && holders.every((h) => !answered.has(h));
    for (const k of keys) {
      if (seen.has(k)) continue;
      if (gaps.has(k)) {
        add(placements, group, k);
        continue;
      }
      if (!allSilent) continue;
      add(placements, group, k);
      const where = parseStreamKey(k);
      const R = holders.length;
      findings.push(finding("stream_quorum_lost", subjectOf(snap, where),
        `${label(where)}: no server holding it answered (last seen on ${holders.join(", ")}, silent now); ${R === 1 ? "an R1 stream on a silent server has no leader" : `none of its ${R} peers can lead it`}: publishes and reads fail`,
        { leader: null, replicas: R, quorum: Math.floor(R / 2) + 1, holders: holders.join(","), from_history: true }));
    }
  }
  for (const keys of Object.values(placements)) keys.sort();
  return { findings, placements };
}
