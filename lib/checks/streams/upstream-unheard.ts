// How long a mirror or source reporting `active: -1` ("never heard from") has really gone unheard.
// A new stream leader reports -1 until its own internal consumer on the upstream is running: seen
// on real servers (test/fixtures/streams-mirror-new-leader-*.json, docs/streams.md) for a fraction
// of a second up to tens of seconds after the leader moved. That is not a mirror that never
// connected: the time that counts is the shorter of the stream's age and how long its current
// leader has led. Servers 2.11.9+ say that (`leader_since`). Older ones do not: the monitor then
// remembers, for each stream with a mirror or sources, which server led it and since when a run
// first saw that leader after another one (kept in the streams observation). A leader the monitor
// never saw change is taken as having led since the stream was created.
import type { StreamUpstream, StreamView } from "../../snapshot/streams.ts";
import { streamKey } from "../../snapshot/streams.ts";

/**
 * By stream key (streams with a mirror or sources, on servers without `leader_since`): its leader,
 * and when a run first saw it take over from another (null: no change seen).
 */
export type UpstreamLeaders = Record<string, { leader: string; since: number | null }>;

export interface NeverHeard {
  /** How long the upstream has gone unheard, as far as can be told. */
  ms: number;
  /** What bounds it: the stream's age, its leader's time in office, or the runs since the leader changed. */
  basis: "age" | "leader" | "runs";
}

/** Notes the stream's leader for the next run (servers without `leader_since`, streams with upstreams). */
export function noteUpstreamLeader(v: StreamView, at: number, prev: UpstreamLeaders, next: UpstreamLeaders): void {
  // A leaderless stream's view is a holder's, without its mirror or sources: remember only that it
  // had no leader, so whichever server leads it next is a change.
  if (v.status === "leaderless" || !v.leader) {
    const k = streamKey(v);
    if (prev[k]) next[k] = { leader: "", since: null };
    return;
  }
  if (v.leaderForMs !== undefined || (!v.mirror && !v.sources.length)) return;
  const k = streamKey(v);
  const p = prev[k];
  next[k] = !p ? { leader: v.leader, since: null } : p.leader === v.leader ? p : { leader: v.leader, since: at };
}

/**
 * For an upstream with `active: -1`, how long it has really gone unheard (undefined: it was heard
 * from, or the stream's age is unknown). `leaders` is this run's, after `noteUpstreamLeader`.
 */
export function neverHeardFor(
  v: StreamView,
  u: StreamUpstream,
  at: number,
  leaders: UpstreamLeaders,
): NeverHeard | undefined {
  if (u.activeMs >= 0 || v.ageMs === undefined) return undefined;
  const age: NeverHeard = { ms: v.ageMs, basis: "age" };
  if (v.leaderForMs !== undefined) return v.leaderForMs < age.ms ? { ms: v.leaderForMs, basis: "leader" } : age;
  const since = leaders[streamKey(v)]?.since;
  if (since === null || since === undefined) return age;
  const runs = Math.max(0, at - since);
  return runs < age.ms ? { ms: runs, basis: "runs" } : age;
}
