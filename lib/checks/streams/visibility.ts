// What the run could not see: silent servers and unjudged streams (monitor_partial), streams the
// listing names unavailable, and streams no reply mentions whose every last known holder is silent.
// Once per run, not per stream.
import type { FindingValue, Subject } from "../../findings/finding.ts";
import { resolveStreamThresholds } from "../../thresholds/monitor-keys.ts";
import { finding } from "../catalog.ts";
import { subjectOf } from "../stream-subject.ts";
import type { StreamRun } from "./run.ts";
import { unseenStreams, type Placements } from "./unseen.ts";

export function partial(run: StreamRun): void {
  const s = run.snap;
  const gaps = s.gaps.filter((g) => !g.unavailable);
  if (!s.silent.length && !gaps.length && !s.problems.length) return;
  const parts: string[] = [];
  if (s.silent.length)
    parts.push(
      `${s.servers.length} of ${s.servers.length + s.silent.length} servers answered (silent: ${s.silent.join(", ")}); streams only they lead are unchecked`,
    );
  if (gaps.length) {
    const shown = gaps
      .slice(0, 5)
      .map((g) => `${g.account} > ${g.name} (${g.reason})`)
      .join("; ");
    parts.push(
      `${gaps.length} stream(s) not judged: ${shown}${gaps.length > 5 ? `; and ${gaps.length - 5} more` : ""}`,
    );
  }
  if (s.problems.length)
    parts.push(
      s.problems.slice(0, 3).join("; ") +
        (s.problems.length > 3 ? `; and ${s.problems.length - 3} more problem(s)` : ""),
    );
  const at: Subject = s.cluster ? { cluster: s.cluster } : {};
  const values: Record<string, FindingValue> = {
    answered: s.servers.length,
    silent: s.silent.join(","),
    unjudged: gaps.length,
    problems: s.problems.length,
  };
  if (s.expectedServers !== undefined) values.expected = s.expectedServers;
  run.out.push(finding("monitor_partial", at, `streams: ${parts.join("; ")}`, values));
}

/** Account mode: streams the listing names missing or offline. */
export function unavailable(run: StreamRun): void {
  for (const g of run.snap.gaps) {
    if (!g.unavailable) continue;
    run.out.push(
      finding("stream_unavailable", subjectOf(run.snap, g), `${g.account} > ${g.name} did not report: ${g.reason}`, {
        reason: g.reason,
      }),
    );
  }
}

/**
 * System mode: streams no reply mentions, whose every last known holder is silent (the listing of
 * account mode names them itself, as missing). Returns the placements to carry to the next run.
 */
export function unseen(run: StreamRun, previous: Placements | undefined): Placements | undefined {
  if (run.snap.mode !== "system") return undefined;
  const found = unseenStreams(run.snap, previous);
  for (const f of found.findings)
    if (resolveStreamThresholds(f.subject.account ?? "", f.subject.stream ?? "", undefined, run.config).enabled)
      run.out.push(f);
  return found.carried;
}
