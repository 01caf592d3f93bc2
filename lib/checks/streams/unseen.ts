// Streams no reply mentions this run, named from history. An R1 stream on a dead or hung server
// (or a stream whose holders are all silent) appears in no JSZ reply: without memory of where it
// lived, the run could only say "some servers are silent". The streams observation keeps each
// stream's last known placement (grouped by the set of servers holding it, so the document grows by
// one stream key per stream, not by a record per stream); a stream whose every last known holder
// is silent gets its own critical finding, so a subscription filtered by account or stream sees it.
import type { Finding } from "../../findings/finding.ts";
import type { StreamsSnapshot, StreamView } from "../../snapshot/streams.ts";
import { streamKey } from "../../snapshot/streams.ts";
import { finding } from "../catalog.ts";
import { label, subjectOf } from "../stream-subject.ts";

/** Servers holding a group of streams (sorted, joined by ",") -> their stream keys. */
export type Placements = Record<string, string[]>;

/** Where a stream lives, as its view shows: the leader and its followers, or every holder and member when leaderless. */
export function holdersOf(v: StreamView): string[] {
  // The common cases without a Set: an R1 stream (its leader alone) and a led stream (leader + followers).
  if (v.status === "led" && v.leader) {
    if (!v.peers.length) return [v.leader];
    const names = [v.leader];
    for (const p of v.peers) if (p.name !== v.leader && !names.includes(p.name)) names.push(p.name);
    return names.sort();
  }
  const names = new Set<string>(v.holders);
  for (const p of v.peers) names.add(p.name);
  return [...names].sort();
}

/** `domain/account/name` back into its parts (stream names cannot contain `/`). */
export function parseStreamKey(key: string): { domain?: string; account: string; name: string } {
  const first = key.indexOf("/");
  const last = key.lastIndexOf("/");
  const domain = key.slice(0, first);
  const out: { domain?: string; account: string; name: string } = {
    account: key.slice(first + 1, last),
    name: key.slice(last + 1),
  };
  if (domain) out.domain = domain;
  return out;
}

function add(p: Placements, holders: string, key: string): void {
  (p[holders] ??= []).push(key);
}

export interface UnseenResult {
  findings: Finding[];
  /** Streams this run did not see that stay remembered (not judged, or every holder silent), by placement. */
  carried: Placements;
}

/**
 * Judges the streams earlier runs placed that this run did not see at all (system mode). A stream
 * not seen while one of its last known holders answered is gone (deleted or moved): forgotten. A
 * stream listed as not judged (its leader silent, followers answering) keeps its placement. Cheap
 * when every group of holders answered and no stream is a gap: nothing is looked at per stream.
 */
export function unseenStreams(snap: StreamsSnapshot, previous: Placements | undefined): UnseenResult {
  const carried: Placements = {};
  const findings: Finding[] = [];
  if (!previous) return { findings, carried };
  const gaps = snap.gaps.length ? new Set(snap.gaps.map(streamKey)) : undefined;
  const answered = new Set(snap.servers.map((s) => s.name));
  let seen: Set<string> | undefined;
  for (const [group, keys] of Object.entries(previous)) {
    const holders = group ? group.split(",") : [];
    const allSilent = holders.length > 0 && holders.every((h) => !answered.has(h));
    if (!allSilent && !gaps) continue;
    if (allSilent) seen ??= new Set(snap.streams.map(streamKey));
    for (const k of keys) {
      if (gaps?.has(k)) {
        add(carried, group, k);
        continue;
      }
      if (!allSilent || seen!.has(k)) continue;
      add(carried, group, k);
      const where = parseStreamKey(k);
      const R = holders.length;
      findings.push(
        finding(
          "stream_quorum_lost",
          subjectOf(snap, where),
          `${label(where)}: no server holding it answered (last seen on ${holders.join(", ")}, silent now); ${R === 1 ? "an R1 stream on a silent server has no leader" : `none of its ${R} peers can lead it`}: publishes and reads fail`,
          { leader: null, replicas: R, quorum: Math.floor(R / 2) + 1, holders: holders.join(","), from_history: true },
        ),
      );
    }
  }
  return { findings, carried };
}

/** The placements this run leaves: every stream it saw, where it saw it, and the carried ones. */
export function placementsOf(snap: StreamsSnapshot, carried: Placements): Placements {
  const p: Placements = {};
  for (const v of snap.streams) add(p, holdersOf(v).join(","), streamKey(v));
  for (const [group, keys] of Object.entries(carried)) for (const k of keys) add(p, group, k);
  return p;
}
