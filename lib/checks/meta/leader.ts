// Leader checks: more than one claimant (META_002), no leader or servers naming different ones
// (META_006, disagreement), and leader changes across runs (META_003, history).
import type { MetaThresholds } from "../../config/config.ts";
import type { MetaSnapshot } from "../../snapshot/meta.ts";
import { formatDuration } from "../../thresholds/duration.ts";
import { finding } from "../catalog.ts";
import type { LeaderChange, MetaObservation } from "./observation.ts";
import type { MetaCheck } from "./run.ts";

/** The leader as the answering servers see it: the leader's own claim first, else the most named. */
export function currentLeader(snap: MetaSnapshot): string | undefined {
  if (snap.leaderView) return snap.leaderView.leader;
  const votes = new Map<string, number>();
  for (const s of snap.servers) if (s.metaLeader) votes.set(s.metaLeader, (votes.get(s.metaLeader) ?? 0) + 1);
  return [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Leader changes between the previous run and this snapshot: by Raft term when both have one, else by name. */
export function leaderChangeSince(prev: MetaObservation | undefined, snap: MetaSnapshot): LeaderChange | undefined {
  if (!prev) return undefined;
  const leader = currentLeader(snap);
  // A term below the last one means the group was rebuilt (state wiped): the terms say nothing
  // about elections in between, so fall back to comparing names.
  if (prev.term !== undefined && snap.raft && snap.raft.term >= prev.term) {
    const count = snap.raft.term - prev.term;
    if (count === 0) return undefined;
    const c: LeaderChange = { at: snap.collectedAt, since: prev.at, count, method: "raft-term" };
    if (prev.leader) c.from = prev.leader;
    if (leader) c.to = leader;
    return c;
  }
  if (prev.leader && leader && prev.leader !== leader)
    return { at: snap.collectedAt, since: prev.at, count: 1, method: "leader-name", from: prev.leader, to: leader };
  return undefined;
}

/** When a change certainly happened no earlier than this: its previous run. */
const earliest = (c: LeaderChange): number => c.since ?? c.at;

/** Whether a change certainly fell inside the window ending at `now`. */
export const insideWindow = (c: LeaderChange, now: number, windowMs: number): boolean => earliest(c) >= now - windowMs;

/**
 * Leader changes certainly inside the flap window, and this run's change when it cannot be placed
 * in it (the previous run is older than the window: the monitor was down or runs too rarely).
 */
export function flapWindow(
  prev: MetaObservation | undefined,
  snap: MetaSnapshot,
  t: MetaThresholds,
): { counted: LeaderChange[]; unplaced?: LeaderChange } {
  const change = leaderChangeSince(prev, snap);
  const now = snap.collectedAt;
  const counted = [...(prev?.changes ?? []), ...(change ? [change] : [])].filter((c) =>
    insideWindow(c, now, t.flapWindowMs),
  );
  return change && !insideWindow(change, now, t.flapWindowMs) ? { counted, unplaced: change } : { counted };
}

/**
 * Why META_003 can never fire with the meta slice run every `everyMs`, if it cannot: counting by
 * leader name sees at most one change per run, and only changes after a run inside the window
 * count, so at most floor(window / interval) changes are ever counted.
 */
export function flapScheduleProblem(
  everyMs: number,
  t: MetaThresholds,
  everyKey = "slices.meta.every",
): string | undefined {
  const countable = Math.floor(t.flapWindowMs / everyMs);
  if (countable > t.flapMaxChanges) return undefined;
  const need = Math.floor(t.flapWindowMs / (t.flapMaxChanges + 1));
  const cause =
    everyMs > t.flapWindowMs
      ? "no leader change can ever be placed inside the window"
      : `counting by leader name (servers before 2.10.17, or without RAFTZ permission) sees at most one change per run, so at most ${countable} in the window, never more than thresholds.meta.flap-max-changes (${t.flapMaxChanges})`;
  return `${everyKey}: the meta slice runs every ${formatDuration(everyMs)} against thresholds.meta.flap-window ${formatDuration(t.flapWindowMs)}: ${cause}, so META_003 could never fire; run it at least every ${formatDuration(need)}, widen the window or lower flap-max-changes`;
}

/** META_002: two or more answering servers each claim the leadership (a split). */
export const leaderSplit: MetaCheck = (snap, _t, run) => {
  const claimants = snap.servers
    .filter((s) => s.metaLeader === s.name)
    .map((s) => s.name)
    .sort();
  if (claimants.length <= 1) return;
  run.out.push(
    finding(
      "meta_leader_split",
      run.at(),
      `${claimants.length} servers claim to be the meta leader: ${claimants.join(", ")}`,
      {
        claimants: claimants.join(","),
        count: claimants.length,
      },
    ),
  );
};

/**
 * META_006 when no server knows a leader; else a warning when servers that know one name different
 * ones. A server that knows no leader (an election in progress) disagrees with nobody.
 */
export const leaderKnown: MetaCheck = (snap, _t, run) => {
  if (!run.leader) {
    run.out.push(
      finding(
        "meta_quorum_lost",
        run.at(),
        `meta group has no leader (${snap.servers.length} server(s) answered, none knows a leader)`,
        {
          answered: snap.servers.length,
          expected: run.expected,
        },
      ),
    );
    return;
  }
  const claims = new Map<string, string[]>();
  for (const s of snap.servers)
    if (s.metaLeader) claims.set(s.metaLeader, [...(claims.get(s.metaLeader) ?? []), s.name]);
  if (claims.size <= 1) return;
  const desc = [...claims.entries()].map(([l, ss]) => `${ss.join(",")} -> ${l}`).join("; ");
  run.out.push(
    finding("meta_leader_disagreement", run.at(), `servers disagree on the meta leader: ${desc}`, {
      views: claims.size,
    }),
  );
};

const methodsOf = (cs: LeaderChange[]) =>
  [...new Set(cs.map((c) => (c.method === "raft-term" ? "Raft term" : "leader name")))].join(" and ");

/** META_003: more leader changes inside the window than allowed; changes it cannot place, as information. */
export const leaderFlapping: MetaCheck = (snap, t, run) => {
  const { counted, unplaced } = flapWindow(run.previous, snap, t);
  const total = counted.reduce((s, c) => s + c.count, 0);
  if (total > t.flapMaxChanges) {
    const methods = methodsOf(counted);
    // The seed's first step: look at the servers that held leadership. A Raft term counts
    // elections, not names: leaders between two runs are not known, so the list is "at least".
    const held = [
      ...new Set(
        counted
          .flatMap((c) => [c.from, c.to])
          .concat(run.leader)
          .filter((x): x is string => x !== undefined),
      ),
    ].sort();
    run.out.push(
      finding(
        "meta_leader_flapping",
        run.at(),
        `meta leader changed ${total} time(s) in the last ${formatDuration(t.flapWindowMs)} (allowed ${t.flapMaxChanges}; counted by ${methods}); leadership held by ${held.length ? held.join(", ") : "unknown servers"}${counted.some((c) => c.method === "raft-term") ? " (at least)" : ""}; now ${run.leader ?? "no leader"}`,
        {
          changes: total,
          max_changes: t.flapMaxChanges,
          window_ms: t.flapWindowMs,
          method: methods,
          leaders: held.join(","),
        },
      ),
    );
  }
  if (unplaced) {
    const gap = snap.collectedAt - earliest(unplaced);
    const who = unplaced.from && unplaced.to ? ` (${unplaced.from} -> ${unplaced.to})` : "";
    run.out.push(
      finding(
        "meta_leader_changes_unplaced",
        run.at(),
        `meta leader changed ${unplaced.count} time(s)${who} since the previous run ${formatDuration(gap)} ago, longer than the ${formatDuration(t.flapWindowMs)} flap window: not counted by META_003 (counted by ${methodsOf([unplaced])})`,
        { changes: unplaced.count, gap_ms: gap, window_ms: t.flapWindowMs, method: methodsOf([unplaced]) },
      ),
    );
  }
};
