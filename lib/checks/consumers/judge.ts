// Consumer checks: one pure pass over a run's snapshot, the previous observation and the
// thresholds -> findings, the observation for the next run, and which alerts the run may clear.
import type { AlertState } from "../../alerts/alert.ts";
import type { Finding, FindingValue, Subject } from "../../findings/finding.ts";
import type { ConsumersSnapshot, ConsumerView } from "../../snapshot/consumers.ts";
import { consumerKey } from "../../snapshot/consumers.ts";
import { resolveConsumerThresholds, type ConsumerThresholdConfig } from "../../thresholds/consumer-keys.ts";
import { finding } from "../catalog.ts";
import { checkHistory, type ConsumerMark } from "./history.ts";
import { checkConsumerReplicas } from "./replicas.ts";
import { checkAckPending, checkMetadataThresholds, checkSequences, checkThresholdsValid } from "./state.ts";
import { consumerCoverKey, consumerSubject } from "./subject.ts";

export type { ConsumerMark } from "./history.ts";

/** What the consumers slice remembers between runs: one mark per judged consumer, and server names. */
export interface ConsumersObservation {
  at: number;
  knownServers: string[];
  /** By consumer key. Consumers not seen in a run are dropped (unless their leader was silent). */
  marks: Record<string, ConsumerMark>;
  /** By `<consumer key>|<peer>`: followers the leader has never heard from, since when. */
  unheard?: Record<string, number>;
}

/** Checks a leaderless consumer still gets: nobody else can report its replicas or position. */
const JUDGED_WITHOUT_LEADER = new Set(["consumer_quorum_lost", "consumer_threshold_invalid"]);

/** Ephemeral consumers (KV watchers, ordered consumers, mirror/source internals) only when opted in. */
export const isJudged = (v: ConsumerView, cfg: ConsumerThresholdConfig): boolean => v.durable || cfg.includeEphemeral;

function partial(snap: ConsumersSnapshot, out: Finding[]): void {
  if (!snap.silent.length && !snap.gaps.length && !snap.problems.length) return;
  const parts: string[] = [];
  if (snap.silent.length)
    parts.push(
      `${snap.servers.length} of ${snap.servers.length + snap.silent.length} servers answered (silent: ${snap.silent.join(", ")}); consumers only they lead are unchecked`,
    );
  if (snap.gaps.length) {
    const shown = snap.gaps
      .slice(0, 5)
      .map((g) => `${g.account} > ${g.stream} > ${g.name} (${g.reason})`)
      .join("; ");
    parts.push(
      `${snap.gaps.length} consumer(s) not judged: ${shown}${snap.gaps.length > 5 ? `; and ${snap.gaps.length - 5} more` : ""}`,
    );
  }
  if (snap.problems.length)
    parts.push(
      snap.problems.slice(0, 3).join("; ") +
        (snap.problems.length > 3 ? `; and ${snap.problems.length - 3} more problem(s)` : ""),
    );
  const values: Record<string, FindingValue> = {
    answered: snap.servers.length,
    silent: snap.silent.join(","),
    unjudged: snap.gaps.length,
    problems: snap.problems.length,
  };
  out.push(
    finding("monitor_partial", snap.cluster ? { cluster: snap.cluster } : {}, `consumers: ${parts.join("; ")}`, values),
  );
}

export interface ConsumersJudgement {
  findings: Finding[];
  observation: ConsumersObservation;
  covers: (alert: AlertState) => boolean;
}

export function judgeConsumers(
  snap: ConsumersSnapshot,
  prev: ConsumersObservation | undefined,
  cfg: ConsumerThresholdConfig,
): ConsumersJudgement {
  const out: Finding[] = [];
  if (snap.blind) {
    out.push(
      finding("monitor_blind", snap.cluster ? { cluster: snap.cluster } : {}, `monitor is blind: ${snap.blind}`, {
        reason: snap.blind,
      }),
    );
    const observation = prev ? { ...prev } : { at: snap.collectedAt, knownServers: [], marks: {} };
    return { findings: out, observation, covers: (a) => a.finding.id === "monitor_blind" };
  }
  partial(snap, out);
  const marks: Record<string, ConsumerMark> = {};
  const mem = { prevUnheard: prev?.unheard ?? {}, unheard: {} as Record<string, number> };
  const judged = new Set<string>();
  const headless = new Set<string>();
  for (const v of snap.consumers) {
    const cover = consumerCoverKey(consumerSubject(snap, v));
    judged.add(cover);
    if (!isJudged(v, cfg)) continue;
    const r = resolveConsumerThresholds(v, v.metadata, cfg);
    if (!r.enabled) continue;
    checkThresholdsValid(snap, v, r, out);
    checkConsumerReplicas(snap, v, r.values, mem, out);
    if (v.status === "leaderless") {
      headless.add(cover);
      const m = prev?.marks[consumerKey(v)];
      if (m) marks[consumerKey(v)] = m;
      continue;
    }
    const before = prev?.marks[consumerKey(v)];
    const ahead = checkSequences(snap, v, before?.ahead === true, out);
    checkMetadataThresholds(snap, v, r, out);
    if (!v.paused) checkAckPending(snap, v, r.values.ackPendingWarnPercent, out);
    const mark = checkHistory(snap, v, r.values, cfg, before, out);
    if (ahead) mark.ahead = true;
    marks[consumerKey(v)] = mark;
  }
  // Consumers whose leader was silent keep their marks: a silent server must not reset the clocks.
  const gapKeys = new Set(snap.gaps.map(consumerKey));
  const gapCovers = new Set(snap.gaps.map((g) => consumerCoverKey(consumerSubject(snap, g))));
  for (const [k, m] of Object.entries(prev?.marks ?? {})) if (gapKeys.has(k) && !(k in marks)) marks[k] = m;
  for (const [k, t] of Object.entries(mem.prevUnheard))
    if (gapKeys.has(k.slice(0, k.lastIndexOf("|"))) && !(k in mem.unheard)) mem.unheard[k] = t;
  const observation: ConsumersObservation = {
    at: snap.collectedAt,
    knownServers: [...new Set([...snap.servers.map((s) => s.name), ...snap.silent])].sort(),
    marks,
  };
  if (Object.keys(mem.unheard).length) observation.unheard = mem.unheard;
  const anySilent = snap.silent.length > 0;
  const unlisted = new Set(snap.unlistedStreams ?? []);
  const covers = (alert: AlertState): boolean => {
    const s: Subject = alert.finding.subject;
    if (alert.finding.id === "monitor_blind") return true;
    if (s.consumer === undefined) return true;
    const key = consumerCoverKey(s);
    if (gapCovers.has(key) || (s.stream !== undefined && unlisted.has(s.stream))) return false;
    if (headless.has(key)) return JUDGED_WITHOUT_LEADER.has(alert.finding.id);
    if (judged.has(key)) return true;
    // Reported by nobody: deleted, unless a silent server may be holding it.
    return !anySilent;
  };
  return { findings: out, observation, covers };
}
