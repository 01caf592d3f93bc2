// ACCOUNTS_002: an account's slow consumer count on a server rose since the last run of the same
// server process (the per-account STATZ; counters reset on restart). One finding per server and
// account, so it clears once that count stops rising there.
import { finding } from "../catalog.ts";
import type { Finding } from "../../findings/finding.ts";
import type { ServersSnapshot } from "../../snapshot/servers.ts";
import { sameProcess, type ServersObservation } from "./observation.ts";
import { serverSubject } from "./subject.ts";

export function accountFindings(snap: ServersSnapshot, prev: ServersObservation | undefined): Finding[] {
  const out: Finding[] = [];
  for (const s of snap.servers) {
    const p = prev?.servers[s.name];
    const before = p?.accountSlowConsumers;
    if (!s.accounts || !before || !sameProcess(s, p)) continue;
    for (const a of s.accounts) {
      const now = a.slowConsumers;
      const rose = now === undefined ? 0 : now - (before[a.account] ?? 0);
      if (rose <= 0) continue;
      const label = a.name ? `${a.name} (${a.account})` : a.account;
      out.push(
        finding(
          "account_slow_consumers",
          { ...serverSubject(snap, s), account: a.account },
          `${s.name}: account ${label}: ${rose} new slow consumer event(s) since the last run (${now} in total)`,
          { new: rose, total: now ?? 0, ...(a.name ? { account_name: a.name } : {}) },
        ),
      );
    }
  }
  return out;
}
