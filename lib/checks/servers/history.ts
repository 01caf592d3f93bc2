// What only history can tell: a restart without a version change (SERVER_008), a crash loop
// (SERVER_009), an upgrade (information), counters that rose since the last run (SERVER_004,
// SERVER_012, SERVER_013), and a server seen before that no longer answers at all.
import { finding } from "../catalog.ts";
import type { Finding } from "../../findings/finding.ts";
import type { ServersSnapshot } from "../../snapshot/servers.ts";
import { formatDuration } from "../../thresholds/duration.ts";
import { sameProcess, type ServersObservation } from "./observation.ts";
import { serverSubject } from "./subject.ts";
import type { ServerThresholds } from "./thresholds.ts";

const iso = (ms: number) => new Date(ms).toISOString();

/** `next` is this run's observation (observeServers), `prev` the last run's. */
export function historyFindings(
  snap: ServersSnapshot,
  prev: ServersObservation | undefined,
  next: ServersObservation,
  t: ServerThresholds,
): Finding[] {
  const out: Finding[] = [];
  const at = snap.collectedAt;
  for (const s of snap.servers) {
    const subject = serverSubject(snap, s);
    const m = next.servers[s.name];
    const r = m?.restart;
    if (r && at - r.start < t.restartAlertForMs) {
      if (r.fromVersion === r.toVersion) {
        out.push(
          finding(
            "server_restarted",
            subject,
            `${s.name} restarted at ${iso(r.start)} without a version change (${r.toVersion})`,
            { start: iso(r.start), version: r.toVersion },
          ),
        );
      } else {
        out.push(
          finding(
            "server_upgraded",
            subject,
            `${s.name} restarted at ${iso(r.start)} with version ${r.toVersion} (was ${r.fromVersion})`,
            { start: iso(r.start), from: r.fromVersion, to: r.toVersion },
          ),
        );
      }
    }
    const recent = (m?.starts ?? []).filter((x) => at - x <= t.crashLoopWindowMs);
    if (recent.length > t.crashLoopStarts) {
      out.push(
        finding(
          "server_crash_loop",
          subject,
          `${s.name} started ${recent.length} times in the last ${formatDuration(t.crashLoopWindowMs)} (more than ${t.crashLoopStarts})`,
          { starts: recent.length, threshold: t.crashLoopStarts, window: formatDuration(t.crashLoopWindowMs) },
        ),
      );
    }
    const p = prev?.servers[s.name];
    if (!sameProcess(s, p)) continue;
    // Counters that only mean something as a rise since the last run of the same process.
    const counters = [
      ["server_slow_consumers", s.slowConsumers, p.slowConsumers, "slow consumer event(s)"],
      ["server_stale_connections", s.staleConnections, p.staleConnections, "stale connection(s)"],
      ["server_stalled_clients", s.stalledClients, p.stalledClients, "stalled client(s)"],
    ] as const;
    for (const [id, now, before, what] of counters) {
      if (now === undefined || before === undefined || now <= before) continue;
      out.push(
        finding(id, subject, `${s.name}: ${now - before} new ${what} since the last run (${now} in total)`, {
          new: now - before,
          total: now,
        }),
      );
    }
  }
  const answered = new Set(snap.servers.map((s) => s.name));
  for (const [name, m] of Object.entries(next.servers)) {
    if (answered.has(name)) continue;
    const silentFor = at - m.lastSeen;
    out.push(
      finding(
        "server_not_answering",
        serverSubject(snap, { name, ...(m.cluster ? { cluster: m.cluster } : {}) }),
        `${name} has not answered for ${formatDuration(silentFor)} (last seen ${iso(m.lastSeen)})`,
        { silent_ms: silentFor, last_seen: iso(m.lastSeen) },
      ),
    );
  }
  return out;
}
