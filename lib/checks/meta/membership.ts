// Membership checks: servers of the group that did not answer (monitor_partial), and a group that
// lists fewer members than in the previous run (META_009, history).
import { finding } from "../catalog.ts";
import { memberNames } from "./observation.ts";
import type { MetaCheck } from "./run.ts";

/** monitor_partial: fewer servers answered than the group has, or collection was incomplete. */
export const silentServers: MetaCheck = (snap, _t, run) => {
  const answered = new Set(snap.servers.map((s) => s.name));
  const silent = [...run.members].filter((m) => !answered.has(m)).sort();
  const short = silent.length > 0 || snap.servers.length < run.expected;
  if (!short && !snap.problems.length) return;
  if (!short) {
    run.out.push(
      finding("monitor_partial", run.at(), `collection was incomplete: ${snap.problems.join("; ")}`, {
        answered: snap.servers.length,
        expected: run.expected,
      }),
    );
    return;
  }
  const who = silent.length
    ? `silent: ${silent.join(", ")}`
    : `${run.expected - snap.servers.length} unnamed server(s) silent`;
  const problems = snap.problems.length ? `; ${snap.problems.join("; ")}` : "";
  run.out.push(
    finding(
      "monitor_partial",
      run.at(),
      `${snap.servers.length} of ${run.expected} servers answered (${who})${problems}`,
      {
        answered: snap.servers.length,
        expected: run.expected,
        silent: silent.join(","),
      },
    ),
  );
};

/** META_009: the distinct members the leader lists, fewer than in the previous run (not its `cluster_size`, which blips). */
export const clusterShrunk: MetaCheck = (snap, _t, run) => {
  const v = snap.leaderView;
  const before = run.previous?.members;
  if (!v || !before) return;
  const now = memberNames(v);
  if (now.length >= before.length) return;
  const gone = before.filter((m) => !now.includes(m));
  run.out.push(
    finding(
      "meta_cluster_shrunk",
      run.at(),
      `meta group shrank from ${before.length} to ${now.length} distinct peers since the previous run${gone.length ? ` (no longer listed: ${gone.join(", ")})` : ""}`,
      {
        previous: before.length,
        size: now.length,
        gone: gone.join(","),
      },
    ),
  );
};
