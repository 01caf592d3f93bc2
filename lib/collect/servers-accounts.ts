// The servers slice's per-account replies, parsed: each server's account counters from
// `$SYS.REQ.ACCOUNT.PING.STATZ` (2.9+; older servers have no such request and are not named as
// silent), and the monitor's account JWT as the servers hold it, from `$SYS.REQ.SERVER.PING.ACCOUNTZ`.
import type { SysEnvelope } from "../nats/wire.ts";
import { versionAtLeast } from "../nats/version.ts";
import type { AccountCounters, AccountJwtView, ServerLine } from "../snapshot/servers.ts";
import type { AccountStatzWire, AccountzWire } from "./servers-wire.ts";

/** The first server line that answers `$SYS.REQ.ACCOUNT.PING.STATZ`. */
export const ACCOUNT_COUNTERS_SINCE = "2.9.0";

export const reportsAccountCounters = (version: string): boolean => versionAtLeast(version, ACCOUNT_COUNTERS_SINCE);

/**
 * Keeps of a STATZ reply only the accounts that had slow consumers (or do not say): a server may hold
 * thousands of accounts, and one with none needs no memory (history counts an absent account as 0).
 */
export function slimAccountStatz(env: SysEnvelope<AccountStatzWire>): SysEnvelope<AccountStatzWire> {
  const all = env?.data?.account_statz;
  if (!all) return env;
  return { ...env, data: { account_statz: all.filter((a) => a?.slow_consumers !== 0) } };
}

/**
 * Sets `accounts` on every server that answered. Returns the servers that should have answered and
 * did not, and those too old to answer at all.
 */
export function applyAccountStatz(
  byName: ReadonlyMap<string, ServerLine>,
  replies: readonly SysEnvelope<AccountStatzWire>[],
): { missing: string[]; unsupported: string[] } {
  for (const env of replies) {
    const s = env?.server?.name ? byName.get(env.server.name) : undefined;
    if (!s || s.accounts || env.error || !env.data) continue;
    // Replies the collector slimmed as they arrived, or captured whole: the same accounts are kept.
    s.accounts = (env.data.account_statz ?? []).flatMap((a) => {
      if (!a?.acc || a.slow_consumers === 0) return [];
      const c: AccountCounters = { account: a.acc };
      if (a.name && a.name !== a.acc) c.name = a.name;
      if (typeof a.slow_consumers === "number") c.slowConsumers = a.slow_consumers;
      return [c];
    });
  }
  const missing: string[] = [];
  const unsupported: string[] = [];
  for (const s of byName.values()) {
    if (s.accounts) continue;
    (reportsAccountCounters(s.version) ? missing : unsupported).push(s.name);
  }
  return { missing, unsupported };
}

/**
 * The monitor's account JWT as the answering servers hold it: the earliest expiry wins (a server
 * with an older JWT disconnects the monitor first). A server that does not hold the account answers
 * with an error, which is an answer. Returns the view, or undefined when no server answered, and
 * the servers that did not answer.
 */
export function accountJwtView(
  account: string,
  byName: ReadonlyMap<string, ServerLine>,
  replies: readonly SysEnvelope<AccountzWire>[],
): { view: AccountJwtView | undefined; missing: string[] } {
  const answered = new Set<string>();
  const view: AccountJwtView = { account, servers: 0 };
  for (const env of replies) {
    const name = env?.server?.name;
    if (!name || !byName.has(name) || answered.has(name)) continue;
    answered.add(name);
    const d = env.data?.account_detail;
    const claims = d?.decoded_jwt;
    if (env.error || !d || !claims || (d.account_name !== undefined && d.account_name !== account)) continue;
    view.servers++;
    const label = claims.name ?? d.name_tag;
    if (label && !view.name) view.name = label;
    if (typeof claims.exp === "number" && claims.exp > 0) {
      const at = claims.exp * 1000;
      if (view.expiresAt === undefined || at < view.expiresAt) {
        view.expiresAt = at;
        view.server = name;
      }
    }
  }
  const missing = [...byName.keys()].filter((n) => !answered.has(n));
  return { view: answered.size ? view : undefined, missing };
}
