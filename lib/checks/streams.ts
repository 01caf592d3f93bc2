// Stream checks: pure functions of (snapshot, previous observation, configuration) -> findings.
// Each stream is judged from one view (its leader's, or a holder's when leaderless), with the
// thresholds its metadata, the overrides and the defaults give it (lib/thresholds/monitor-keys.ts).
import { quorumOf } from "../core/raft.ts";
import type { StreamThresholdConfig } from "../config/config.ts";
import type { Finding, FindingValue, Subject } from "../findings/finding.ts";
import type { StreamsSnapshot, StreamUpstream, StreamView } from "../snapshot/streams.ts";
import { streamKey } from "../snapshot/streams.ts";
import { formatDuration } from "../thresholds/duration.ts";
import { directionOf, MONITOR_PREFIX, resolveStreamThresholds, type ResolvedThresholds, type StreamThresholds } from "../thresholds/monitor-keys.ts";
import { finding, type CheckId } from "./catalog.ts";
import { checkMirrorStall, type MirrorMark } from "./mirror-stall.ts";
import { coverKey, label, subjectOf } from "./stream-subject.ts";
import { UpstreamIndex } from "./upstreams.ts";
import { placementsOf, unseenStreams, type Placements } from "./unseen-streams.ts";
import { neverHeardFor, noteUpstreamLeader, type NeverHeard, type UpstreamLeaders } from "./upstream-unheard.ts";

export type { MirrorMark } from "./mirror-stall.ts";
export { coverKey, subjectCluster } from "./stream-subject.ts";

/**
 * What the streams slice remembers between runs. Saved every run, so it stays small: server names
 * (about the cluster's size), one mark per mirror, and each stream's key once, grouped by the
 * servers holding it (`placements`): the one part that grows with the number of streams.
 */
export interface StreamsObservation {
  at: number;
  /** Servers answering or named as peers: who should answer next time. */
  knownServers: string[];
  /** By mirror stream key: JETSTREAM_015's memory of its source. */
  mirrors: Record<string, MirrorMark>;
  /**
   * By `<stream key>|<peer>`: when a run first saw the leader report a follower it never heard from
   * (`active: 0, current: false`) on a server that does not say when it was elected (before 2.11.9).
   * Only followers in that state are kept, so the document does not grow with the streams.
   */
  unheard?: Record<string, number>;
  /**
   * System mode: each stream's last known placement, stream keys grouped by the servers holding
   * them (sorted, joined by ","), so a stream whose every holder is silent is still named.
   */
  placements?: Placements;
  /**
   * Servers without `leader_since` (before 2.11.9): by stream key, the leader of each stream with a
   * mirror or sources, and since when (upstream-unheard.ts): one entry per such stream.
   */
  upstreamLeaders?: UpstreamLeaders;
}


type Ctx = {
  snap: StreamsSnapshot;
  out: Finding[];
  prevUnheard: Record<string, number>;
  unheard: Record<string, number>;
  prevUpstreams: UpstreamLeaders;
  upstreams: UpstreamLeaders;
};

// ---------------------------------------------------------------- per stream

/** A metadata value is whatever someone typed: long ones are cut so a finding stays one readable line. */
const clip = (text: string, max = 80): string => (text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`);

function thresholdInvalid(c: Ctx, v: StreamView, r: ResolvedThresholds): void {
  if (!r.invalid.length) return;
  const parts = r.invalid.map((i) => `${i.origin === "metadata" ? MONITOR_PREFIX : ""}${i.key}=${clip(JSON.stringify(i.value))} (${clip(i.reason)}${i.origin !== "metadata" ? `, from ${i.origin}` : ""})`);
  const fallback = r.invalid.map((i) => (r.origin[i.key] ? `${i.key} uses the ${r.origin[i.key]} value` : `${i.key} is off`)).join("; ");
  const first = r.invalid[0]!;
  c.out.push(finding("threshold_invalid", subjectOf(c.snap, v),
    `${label(v)}: malformed threshold ${parts.join("; ")}; ${fallback}; the stream's other checks still run`,
    { key: first.key, value: clip(first.value), origin: first.origin, invalid: r.invalid.length, keys: r.invalid.map((i) => i.key).join(",") }));
}

function checkReplicas(c: Ctx, v: StreamView, t: StreamThresholds, origin: ResolvedThresholds["origin"]): void {
  const R = Math.max(1, v.replicas);
  const quorum = quorumOf(R);
  if (v.status === "leaderless") {
    const holders = v.holders.length ? `held by ${v.holders.join(", ")}` : "no server reported holding it";
    c.out.push(finding("stream_quorum_lost", subjectOf(c.snap, v),
      `${label(v)} has no leader (R${R}, ${holders}); quorum needs ${quorum} of ${R} peers: publishes fail`,
      { leader: null, replicas: R, quorum, holders: v.holders.length }));
    return;
  }
  const followers = v.peers.filter((p) => p.name !== v.leader);
  const members = Math.max(R, followers.length + 1);
  const offline = followers.filter((p) => p.offline);
  const unlisted = Math.max(0, R - 1 - followers.length);
  const online = members - offline.length - unlisted;
  const q = quorumOf(members);
  if (online < q) {
    c.out.push(finding("stream_quorum_lost", subjectOf(c.snap, v),
      `${label(v)}: ${online} of ${members} peers online (leader ${v.leader}); quorum needs ${q}`,
      { online, replicas: members, quorum: q, offline: offline.length, leader: v.leader ?? null }));
  }
  for (const p of offline) {
    const spare = Math.max(0, online - q);
    c.out.push(finding("stream_replica_offline", subjectOf(c.snap, v, { peer: p.name }),
      `${label(v)}: replica ${p.name} is offline; ${online} of ${members} online, the stream survives ${spare} more failure(s)`,
      { online, replicas: members, quorum: q, survives: spare }));
  }
  const seen = t.peerSeenCriticalMs;
  const lagMax = t.peerLagCritical;
  for (const p of followers) {
    if (p.offline && seen !== undefined) {
      // Escalation: an offline replica is certainly not seen, so peer seen keeps firing (saying so)
      // while the offline condition holds, and resolves only once the leader hears from it again.
      c.out.push(finding("stream_peer_seen", subjectOf(c.snap, v, { peer: p.name }),
        `${label(v)}: replica ${p.name} is offline (marked by leader ${v.leader}${p.activeMs > 0 ? `, last heard from ${formatDuration(p.activeMs)} ago` : ""}; threshold ${formatDuration(seen)})`,
        { active_ms: Math.round(p.activeMs), threshold_ms: seen, threshold_origin: origin["peer-seen-critical"] ?? null, current: p.current, lag: p.lag, offline: true }));
    } else if (seen !== undefined) {
      const neverHeard = p.activeMs === 0 && !p.current;
      if (neverHeard) {
        // The leader has not heard from it since it was elected: how long that is, 2.11.9+ says.
        // Older servers do not: count from the first run that saw it so (a stream just created, or
        // a leader just elected, looks the same for a moment and must not page).
        let unheardMs = v.leaderForMs;
        if (unheardMs === undefined) {
          const key = `${streamKey(v)}|${p.name}`;
          const since = c.prevUnheard[key] ?? c.snap.collectedAt;
          c.unheard[key] = since;
          unheardMs = c.snap.collectedAt - since;
        }
        if (unheardMs > seen) {
          const since = v.leaderForMs === undefined ? `for at least ${formatDuration(unheardMs)} (seen across runs; the server does not say when it was elected)` : `since it became leader ${formatDuration(v.leaderForMs)} ago`;
          c.out.push(finding("stream_peer_seen", subjectOf(c.snap, v, { peer: p.name }),
            `${label(v)}: leader ${v.leader} has not heard from replica ${p.name} ${since} (threshold ${formatDuration(seen)}), ${p.lag} entries behind`,
            { active_ms: null, leader_for_ms: v.leaderForMs ?? null, unheard_ms: unheardMs, threshold_ms: seen, threshold_origin: origin["peer-seen-critical"] ?? null, lag: p.lag, current: false }));
        }
      } else if (p.activeMs > seen) {
        c.out.push(finding("stream_peer_seen", subjectOf(c.snap, v, { peer: p.name }),
          `${label(v)}: leader ${v.leader} last heard from replica ${p.name} ${formatDuration(p.activeMs)} ago (threshold ${formatDuration(seen)})`,
          { active_ms: Math.round(p.activeMs), threshold_ms: seen, threshold_origin: origin["peer-seen-critical"] ?? null, current: p.current, lag: p.lag }));
      }
    }
    if (lagMax !== undefined && p.lag > lagMax) {
      c.out.push(finding("stream_peer_lag", subjectOf(c.snap, v, { peer: p.name }),
        `${label(v)}: replica ${p.name} is ${p.lag} entries behind leader ${v.leader} (threshold ${lagMax})`,
        { lag: p.lag, threshold: lagMax, threshold_origin: origin["peer-lag-critical"] ?? null }));
    }
  }
  if (t.peerExpect !== undefined) {
    const peers = followers.length + 1;
    if (peers !== t.peerExpect) {
      c.out.push(finding("stream_peer_expect", subjectOf(c.snap, v),
        `${label(v)} has ${peers} peer(s), expected ${t.peerExpect} (R${R})`,
        { peers, expected: t.peerExpect, replicas: R, threshold_origin: origin["peer-expect"] ?? null }));
    }
  }
}

function upstreamChecks(c: Ctx, v: StreamView, u: StreamUpstream, kind: "mirror" | "source", t: StreamThresholds, origin: ResolvedThresholds["origin"], never: NeverHeard | undefined): void {
  const subject = subjectOf(c.snap, v, { source: u.name });
  const what = kind === "mirror" ? `mirror of ${u.name}` : `source ${u.name}`;
  const where = u.api ? ` via ${u.api}` : "";
  if (u.error) {
    c.out.push(finding("replication_error", subject, `${label(v)}: ${what}${where} reports an error: ${u.error}`, { kind, error: u.error, lag: u.lag, active_ms: u.activeMs < 0 ? -1 : Math.round(u.activeMs) }));
  }
  const seen = t.seenCriticalMs;
  const seenId: CheckId = kind === "mirror" ? "mirror_seen" : "source_seen";
  if (seen !== undefined) {
    if (u.activeMs >= 0 && u.activeMs > seen) {
      c.out.push(finding(seenId, subject,
        `${label(v)}: ${what}${where} last heard from ${formatDuration(u.activeMs)} ago (threshold ${formatDuration(seen)}); lag ${u.lag}`,
        { active_ms: Math.round(u.activeMs), threshold_ms: seen, threshold_origin: origin["seen-critical"] ?? null, lag: u.lag }));
    } else if (never && v.ageMs !== undefined && never.ms > seen) {
      // jsm.go lets -1 pass its `>=` test: a mirror that never connected is the worst case, not a pass.
      // A new leader reports -1 until its own consumer runs: timed from its election, not the stream's birth.
      const text = never.basis === "age"
        ? `was never heard from; the stream is ${formatDuration(v.ageMs)} old`
        : never.basis === "leader"
          ? `has not been heard from since ${v.leader} became the stream's leader ${formatDuration(never.ms)} ago`
          : `has not been heard from by leader ${v.leader} for at least ${formatDuration(never.ms)} (seen across runs; the server does not say when it was elected)`;
      c.out.push(finding(seenId, subject,
        `${label(v)}: ${what}${where} ${text} (threshold ${formatDuration(seen)})`,
        { active_ms: -1, age_ms: Math.round(v.ageMs), unheard_ms: Math.round(never.ms), leader_for_ms: v.leaderForMs ?? null, threshold_ms: seen, threshold_origin: origin["seen-critical"] ?? null, lag: u.lag }));
    }
  }
  const lagMax = t.lagCritical;
  if (lagMax !== undefined && u.lag > lagMax) {
    c.out.push(finding(kind === "mirror" ? "mirror_lag" : "source_lag", subject,
      `${label(v)}: ${what}${where} is ${u.lag} messages behind (threshold ${lagMax})`,
      { lag: u.lag, threshold: lagMax, threshold_origin: origin["lag-critical"] ?? null }));
  }
}

function countCheck(c: Ctx, v: StreamView, id: "stream_messages" | "stream_subjects", value: number, warn: number | undefined, crit: number | undefined, noun: string, keys: [string, string]): void {
  if (warn === undefined && crit === undefined) return;
  const dir = directionOf(warn, crit);
  const crosses = (x: number | undefined) => x !== undefined && (dir === "above" ? value >= x : value <= x);
  const level = crosses(crit) ? "critical" : crosses(warn) ? "warning" : undefined;
  if (!level) return;
  const threshold = level === "critical" ? crit! : warn!;
  const cmp = dir === "above" ? ">=" : "<=";
  c.out.push(finding(id, subjectOf(c.snap, v),
    `${label(v)} holds ${value} ${noun} (${level} ${cmp} ${threshold}, ${keys[level === "critical" ? 1 : 0]})`,
    { value, threshold, level, direction: dir, warn: warn ?? null, critical: crit ?? null }, level));
}

// ---------------------------------------------------------------- the slice

function partial(c: Ctx): void {
  const s = c.snap;
  const gaps = s.gaps.filter((g) => !g.unavailable);
  if (!s.silent.length && !gaps.length && !s.problems.length) return;
  const parts: string[] = [];
  if (s.silent.length) parts.push(`${s.servers.length} of ${s.servers.length + s.silent.length} servers answered (silent: ${s.silent.join(", ")}); streams only they lead are unchecked`);
  if (gaps.length) {
    const shown = gaps.slice(0, 5).map((g) => `${g.account} > ${g.name} (${g.reason})`).join("; ");
    parts.push(`${gaps.length} stream(s) not judged: ${shown}${gaps.length > 5 ? `; and ${gaps.length - 5} more` : ""}`);
  }
  if (s.problems.length) parts.push(s.problems.slice(0, 3).join("; ") + (s.problems.length > 3 ? `; and ${s.problems.length - 3} more problem(s)` : ""));
  const at: Subject = s.cluster ? { cluster: s.cluster } : {};
  const values: Record<string, FindingValue> = { answered: s.servers.length, silent: s.silent.join(","), unjudged: gaps.length, problems: s.problems.length };
  if (s.expectedServers !== undefined) values.expected = s.expectedServers;
  c.out.push(finding("monitor_partial", at, `streams: ${parts.join("; ")}`, values));
}

/**
 * Account mode, when the server would not say which account the credentials are: overrides that
 * name an account cannot be matched against it. Said once as a standing warning (one alert), not
 * left to fail silently.
 */
function overridesUnmatched(c: Ctx, cfg: StreamThresholdConfig): void {
  if (!c.snap.accountUnresolved) return;
  const scoped = cfg.overrides.filter((o) => o.account !== undefined);
  if (!scoped.length) return;
  const account = c.snap.streams[0]?.account ?? c.snap.gaps[0]?.account ?? "(this account)";
  const which = scoped.map((o) => `account ${JSON.stringify(o.account)} stream ${JSON.stringify(o.stream)}`).join("; ");
  const subject: Subject = c.snap.cluster ? { cluster: c.snap.cluster, account } : { account };
  c.out.push(finding("threshold_invalid", subject,
    `${scoped.length} override(s) naming an account cannot apply: the server does not say which account these credentials belong to ($SYS.REQ.USER.INFO and $SYS.REQ.ACCOUNT.PING.STATZ unanswered or denied), so its streams are named ${account}: ${which}`,
    { overrides: scoped.length, key: "account", value: scoped.map((o) => o.account).join(","), origin: "override" }));
}

/** Every finding of one streams run. Pure; also what the benchmark times. */
export function evaluateStreams(snap: StreamsSnapshot, prev: StreamsObservation | undefined, cfg: StreamThresholdConfig): Finding[] {
  return judgeOnce(snap, prev, cfg).findings;
}

/** The observation a run leaves for the next (tests; the slice takes it from judgeStreams). */
export function observeStreams(snap: StreamsSnapshot, prev: StreamsObservation | undefined, cfg: StreamThresholdConfig): StreamsObservation {
  return judgeStreams(snap, prev, cfg).observation;
}

/** One pass over a run: its findings and the observation it leaves for the next run. */
export function judgeStreams(snap: StreamsSnapshot, prev: StreamsObservation | undefined, cfg: StreamThresholdConfig): { findings: Finding[]; observation: StreamsObservation } {
  const judged = judgeOnce(snap, prev, cfg);
  return { findings: judged.findings, observation: observationOf(snap, prev, judged) };
}

function observationOf(snap: StreamsSnapshot, prev: StreamsObservation | undefined, j: Judged): StreamsObservation {
  if (snap.blind) return prev ? { ...prev } : { at: snap.collectedAt, knownServers: [], mirrors: {} };
  const knownServers = [...new Set([...snap.servers.map((s) => s.name), ...snap.silent])].sort();
  const o: StreamsObservation = { at: snap.collectedAt, knownServers, mirrors: j.marks };
  if (Object.keys(j.unheard).length) o.unheard = j.unheard;
  // Built here, not while judging: this run's placements are for the next run only.
  const placements = snap.mode === "system" ? placementsOf(snap, j.carried ?? {}) : prev?.placements;
  if (placements && Object.keys(placements).length) o.placements = placements;
  if (Object.keys(j.upstreams).length) o.upstreamLeaders = j.upstreams;
  return o;
}

type Judged = { findings: Finding[]; marks: Record<string, MirrorMark>; unheard: Record<string, number>; carried: Placements | undefined; upstreams: UpstreamLeaders };

function judgeOnce(snap: StreamsSnapshot, prev: StreamsObservation | undefined, cfg: StreamThresholdConfig): Judged {
  const c: Ctx = { snap, out: [], prevUnheard: prev?.unheard ?? {}, unheard: {}, prevUpstreams: prev?.upstreamLeaders ?? {}, upstreams: {} };
  const marks: Record<string, MirrorMark> = {};
  if (snap.blind) {
    c.out.push(finding("monitor_blind", snap.cluster ? { cluster: snap.cluster } : {}, `monitor is blind: ${snap.blind}`, { reason: snap.blind }));
    return { findings: c.out, marks: { ...(prev?.mirrors ?? {}) }, unheard: { ...c.prevUnheard }, carried: prev?.placements, upstreams: { ...c.prevUpstreams } };
  }
  partial(c);
  overridesUnmatched(c, cfg);
  const index = new UpstreamIndex(snap);
  for (const v of snap.streams) {
    const r = resolveStreamThresholds(v.account, v.name, v.metadata, cfg);
    if (!r.enabled) continue;
    thresholdInvalid(c, v, r);
    checkReplicas(c, v, r.values, r.origin);
    noteUpstreamLeader(v, snap.collectedAt, c.prevUpstreams, c.upstreams);
    if (v.mirror) {
      const never = neverHeardFor(v, v.mirror, snap.collectedAt, c.upstreams);
      upstreamChecks(c, v, v.mirror, "mirror", r.values, r.origin, never);
      // A mirror unheard only since its leader moved is not stalled for longer than that either.
      const stall = checkMirrorStall(snap, never ? { ...v, ageMs: never.ms } : v, index, prev?.mirrors[streamKey(v)], cfg.mirrorStallAfterMs);
      if (stall.finding) c.out.push(stall.finding);
      if (stall.mark) marks[streamKey(v)] = stall.mark;
    }
    for (const s of v.sources) upstreamChecks(c, v, s, "source", r.values, r.origin, neverHeardFor(v, s, snap.collectedAt, c.upstreams));
    const t = r.values;
    const n = v.sources.length;
    if (t.minSources !== undefined && n < t.minSources) {
      c.out.push(finding("sources_min", subjectOf(snap, v), `${label(v)} has ${n} source(s), fewer than ${t.minSources}`, { sources: n, threshold: t.minSources, threshold_origin: r.origin["min-sources"] ?? null }));
    }
    if (t.maxSources !== undefined && n > t.maxSources) {
      c.out.push(finding("sources_max", subjectOf(snap, v), `${label(v)} has ${n} source(s), more than ${t.maxSources}`, { sources: n, threshold: t.maxSources, threshold_origin: r.origin["max-sources"] ?? null }));
    }
    countCheck(c, v, "stream_messages", v.messages, t.msgsWarn, t.msgsCritical, "messages", ["msgs-warn", "msgs-critical"]);
    countCheck(c, v, "stream_subjects", v.subjects, t.subjectsWarn, t.subjectsCritical, "subjects", ["subjects-warn", "subjects-critical"]);
  }
  for (const g of snap.gaps) {
    if (!g.unavailable) continue;
    c.out.push(finding("stream_unavailable", subjectOf(snap, g), `${g.account} > ${g.name} did not report: ${g.reason}`, { reason: g.reason }));
  }
  // Streams no reply mentions, whose every last known holder is silent (system mode; the listing
  // of account mode names them itself, as missing).
  let carried: Placements | undefined;
  if (snap.mode === "system") {
    const unseen = unseenStreams(snap, prev?.placements);
    carried = unseen.carried;
    for (const f of unseen.findings) if (resolveStreamThresholds(f.subject.account ?? "", f.subject.stream ?? "", undefined, cfg).enabled) c.out.push(f);
  }
  // Mirrors not looked at this run keep their mark: a silent leader must not reset the stall memory.
  const unjudged = new Set(snap.gaps.map(streamKey));
  for (const [k, m] of Object.entries(prev?.mirrors ?? {})) if (unjudged.has(k) && !(k in marks)) marks[k] = m;
  for (const [k, t] of Object.entries(c.prevUnheard)) if (unjudged.has(k.slice(0, k.lastIndexOf("|"))) && !(k in c.unheard)) c.unheard[k] = t;
  for (const [k, u] of Object.entries(c.prevUpstreams)) if (unjudged.has(k) && !(k in c.upstreams)) c.upstreams[k] = u;
  return { findings: c.out, marks, unheard: c.unheard, carried, upstreams: c.upstreams };
}

/** Streams a run judged (or found unavailable): only their alerts may clear. Keys as subjects name them. */
export function coveredStreams(snap: StreamsSnapshot): Set<string> {
  const out = new Set<string>();
  for (const v of snap.streams) out.add(coverKey(subjectOf(snap, v)));
  for (const g of snap.gaps) if (g.unavailable) out.add(coverKey(subjectOf(snap, g)));
  return out;
}
