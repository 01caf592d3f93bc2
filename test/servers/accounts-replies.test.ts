// Per-account counters and the monitor's account JWT on replies captured from real servers (2.9.10,
// 2.10.27, 2.15.1; test/servers/capture-account-replies.ts): a 3-server cluster right after one real
// slow consumer in account APP, and one operator-mode server whose system account's JWT expires two
// days after the capture. Altered where a condition cannot be produced here (a server before 2.9,
// servers holding different account JWTs, a missing field).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeUser, fmtCreds } from "@nats-io/jwt";
import { createAccount, createUser } from "@nats-io/nkeys";
import { describe, expect, it } from "vitest";
import type { AlertState } from "../../lib/alerts/alert.ts";
import { finding } from "../../lib/checks/catalog.ts";
import type { ServersObservation } from "../../lib/checks/servers/observation.ts";
import { judgeServers } from "../../lib/checks/servers/run.ts";
import { DEFAULT_SERVER_THRESHOLDS as T } from "../../lib/checks/servers/thresholds.ts";
import { parseServersReplies, readCredentials, type ServersReplies } from "../../lib/collect/servers.ts";
import { DEFAULT_CONFIG } from "../../lib/config/config.ts";
import { fingerprint } from "../../lib/findings/finding.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import type { SysEnvelope } from "../../lib/nats/wire.ts";
import { serversSlice } from "../../lib/slices/servers.ts";
import type { CredentialsView, ServersSnapshot } from "../../lib/snapshot/servers.ts";

type Env = SysEnvelope<Record<string, unknown>>;
interface Capture {
  cluster: { VARZ: Env[]; ACCOUNT_STATZ: Env[] };
  operator: { account: string; VARZ: Env[]; ACCOUNTZ: Env[] };
}
const load = (v: string): Capture =>
  JSON.parse(readFileSync(new URL(`../fixtures/servers/accounts-${v}.json`, import.meta.url), "utf8")) as Capture;
const VERSIONS = ["2.9.10", "2.10.27", "2.15.1"];
const AT = Date.parse("2026-11-30T18:00:00Z");
const DAY = 86_400_000;

type Stat = { acc: string; slow_consumers?: number };
const statsOf = (e: Env) => (e.data as { account_statz: Stat[] }).account_statz;
/** The capture with APP's slow consumer count on every server set to `n` (what a run before it saw). */
const withAppCount = (c: Capture["cluster"], n: number): Capture["cluster"] => {
  const copy = structuredClone(c);
  for (const e of copy.ACCOUNT_STATZ) for (const a of statsOf(e)) if (a.acc === "APP") a.slow_consumers = n;
  return copy;
};
const parse = (r: ServersReplies, at = AT, credentials?: CredentialsView) =>
  parseServersReplies(r, {
    collectedAt: at,
    timeoutMs: 1000,
    stats: newRequestStats(),
    ...(credentials ? { credentials } : {}),
  });
const cluster = (c: Capture["cluster"], at = AT) => parse({ varz: c.VARZ, accountStatz: c.ACCOUNT_STATZ }, at);
const judge = (s: ServersSnapshot, prev?: ServersObservation) => judgeServers(s, prev, T);
const ids = (fs: { id: string }[]) => fs.map((f) => f.id).sort();
const slowIn = (fs: { id: string; code: string | null; subject: { server?: string; account?: string } }[]) =>
  fs.filter((f) => f.id === "account_slow_consumers").map((f) => [f.code, f.subject.server, f.subject.account]);

describe("per-account slow consumers on captured replies", () => {
  for (const v of VERSIONS) {
    it(`${v}: a rise since the last run is ACCOUNTS_002 for that server and account`, () => {
      const c = load(v).cluster;
      const victim = c.ACCOUNT_STATZ.find((e) => statsOf(e).some((a) => a.acc === "APP" && a.slow_consumers === 1))!;
      const snap = cluster(c);
      expect(snap.problems).toEqual([]);
      // Every server lists 4 accounts; only those that had slow consumers are kept (a server may hold thousands).
      for (const e of c.ACCOUNT_STATZ)
        expect(
          statsOf(e)
            .map((a) => a.acc)
            .sort(),
        ).toEqual(["$G", "APP", "OTHER", "SYS"]);
      expect(snap.servers.map((s) => [s.name, s.accounts!.map((a) => [a.account, a.slowConsumers])])).toEqual(
        c.VARZ.map((e) => [e.server.name, e.server.name === victim.server.name ? [["APP", 1]] : []]),
      );
      const before = judge(cluster(withAppCount(c, 0), AT - 60_000));
      // Only nonzero counts are kept, and every server has a baseline.
      expect(Object.values(before.observation.servers).map((m) => m.accountSlowConsumers)).toEqual([{}, {}, {}]);
      const after = judge(snap, before.observation);
      expect(slowIn(after.findings)).toEqual([["ACCOUNTS_002", victim.server.name, "APP"]]);
      const f = after.findings.find((x) => x.id === "account_slow_consumers")!;
      expect([f.severity, f.values.new, f.values.total]).toEqual(["critical", 1, 1]);
      expect(after.observation.servers[victim.server.name]!.accountSlowConsumers).toEqual({ APP: 1 });
      // The same counts again: nothing new.
      expect(slowIn(judge(cluster(c, AT + 60_000), after.observation).findings)).toEqual([]);
    });
  }

  it("a server's first answer is a baseline; a restarted server's counts start again", () => {
    const c = load("2.10.27").cluster;
    const fresh = judge(cluster(c));
    expect(slowIn(fresh.findings)).toEqual([]);
    const before = judge(cluster(withAppCount(c, 0), AT - 60_000));
    const restarted = structuredClone(c);
    for (const e of restarted.VARZ) (e.data as { start: string }).start = new Date(AT - 1000).toISOString();
    expect(slowIn(judge(cluster(restarted), before.observation).findings)).toEqual([]);
  });

  it("a server that did not answer is named, keeps its counts, and a later rise counts from them", () => {
    const c = load("2.15.1").cluster;
    const victim = c.ACCOUNT_STATZ.find((e) => statsOf(e).some((a) => a.acc === "APP" && a.slow_consumers === 1))!;
    const base = judge(cluster(withAppCount(c, 0), AT - 120_000));
    const silent = { ...c, ACCOUNT_STATZ: c.ACCOUNT_STATZ.filter((e) => e !== victim) };
    const gap = cluster(silent, AT - 60_000);
    expect(gap.problems).toEqual([`${victim.server.name} answered VARZ but not ACCOUNT STATZ`]);
    const mid = judge(gap, base.observation);
    expect(ids(mid.findings)).toEqual(["monitor_partial"]);
    expect(mid.observation.servers[victim.server.name]!.accountSlowConsumers).toEqual({});
    expect(slowIn(judge(cluster(c), mid.observation).findings)).toEqual([["ACCOUNTS_002", victim.server.name, "APP"]]);
  });

  it("a server before 2.9 has no per-account STATZ: not named as silent, listed as unsupported", () => {
    const c = structuredClone(load("2.9.10").cluster);
    const old = c.VARZ[0]!;
    old.server.ver = "2.8.4";
    const snap = cluster({ ...c, ACCOUNT_STATZ: c.ACCOUNT_STATZ.filter((e) => e.server.name !== old.server.name) });
    expect(snap.problems).toEqual([]);
    expect(snap.accountCountersUnsupported).toEqual([old.server.name]);
    expect(snap.servers.find((s) => s.name === old.server.name)!.accounts).toBeUndefined();
  });

  it("an account entry without the count is not judged", () => {
    const c = load("2.10.27").cluster;
    const before = judge(cluster(withAppCount(c, 0), AT - 60_000));
    const blank = structuredClone(c);
    for (const e of blank.ACCOUNT_STATZ) for (const a of statsOf(e)) delete a.slow_consumers;
    const snap = cluster(blank);
    expect(snap.servers.flatMap((s) => s.accounts!.map((a) => a.slowConsumers))).toEqual(Array(12).fill(undefined));
    expect(slowIn(judge(snap, before.observation).findings)).toEqual([]);
  });
});

describe("the monitor's account JWT on captured ACCOUNTZ replies", () => {
  for (const v of VERSIONS) {
    it(`${v}: the expiry the server holds, judged like the user JWT's`, () => {
      const o = load(v).operator;
      const at = Date.parse(o.ACCOUNTZ[0]!.server.time!);
      const creds: CredentialsView = { file: "/etc/lookout/sys.creds", account: o.account };
      const snap = parse({ varz: o.VARZ, accountz: o.ACCOUNTZ }, at, creds);
      const view = snap.credentials!.accountJwt!;
      expect([view.account, view.name, view.servers, view.server]).toEqual([
        o.account,
        "SYS",
        1,
        o.VARZ[0]!.server.name,
      ]);
      expect(Math.round((view.expiresAt! - at) / 3_600_000)).toBe(48);
      const f = judge(snap).findings.filter((x) => x.id === "monitor_account_expiring");
      expect(f.map((x) => [x.severity, x.subject.account])).toEqual([["critical", o.account]]);
      expect(f[0]!.summary).toContain(`account SYS (${o.account}), expires in 1d23h`);
      expect(f[0]!.summary).toContain(` on ${o.VARZ[0]!.server.name}`);
      // 5 days before: a warning; 20 days before: nothing.
      expect(
        judge(parse({ varz: o.VARZ, accountz: o.ACCOUNTZ }, at - 3 * DAY, creds)).findings.map((x) => x.severity),
      ).toEqual(["warning"]);
      expect(judge(parse({ varz: o.VARZ, accountz: o.ACCOUNTZ }, at - 18 * DAY, creds)).findings).toEqual([]);
    });
  }

  it("servers holding different JWTs: the earliest expiry wins; one without the account answered", () => {
    const o = load("2.15.1").operator;
    const at = Date.parse(o.ACCOUNTZ[0]!.server.time!);
    const [varz, reply] = [o.VARZ[0]!, o.ACCOUNTZ[0]!];
    const as = (name: string, e: Env) => ({ ...structuredClone(e), server: { ...e.server, name } });
    const older = as("n2", reply);
    const claims = (older.data as { account_detail: { decoded_jwt: { exp: number } } }).account_detail.decoded_jwt;
    claims.exp -= 86_400;
    const unknown = {
      ...as("n3", reply),
      data: undefined,
      error: { code: 500, description: "Account X does not exist" },
    };
    const snap = parse({ varz: [varz, as("n2", varz), as("n3", varz)], accountz: [reply, older, unknown] }, at, {
      file: "f",
      account: o.account,
    });
    expect(snap.problems).toEqual([]);
    const view = snap.credentials!.accountJwt!;
    expect([view.servers, view.server, Math.round((view.expiresAt! - at) / 3_600_000)]).toEqual([2, "n2", 24]);
  });

  it("accounts from the configuration show no JWT: nothing to judge; no ACCOUNTZ answer keeps the alert open", () => {
    const o = load("2.10.27").operator;
    const noJwt = structuredClone(o.ACCOUNTZ);
    delete (noJwt[0]!.data as { account_detail: { decoded_jwt?: unknown } }).account_detail.decoded_jwt;
    const creds: CredentialsView = { file: "f", account: o.account };
    const snap = parse({ varz: o.VARZ, accountz: noJwt }, AT, creds);
    expect(snap.credentials!.accountJwt).toEqual({ account: o.account, servers: 0 });
    expect(judge(snap).findings).toEqual([]);

    const open = finding("monitor_account_expiring", { cluster: "c", account: o.account }, "x");
    const alert: AlertState = {
      fingerprint: fingerprint(open),
      finding: open,
      firstSeen: 0,
      lastSeen: 0,
      clearRuns: 0,
    };
    const covers = (s: ServersSnapshot) => serversSlice.judge(s, undefined, DEFAULT_CONFIG).covers(alert);
    expect(covers(snap)).toBe(true);
    const unanswered = parse({ varz: o.VARZ, accountz: [] }, AT, creds);
    expect(unanswered.problems).toEqual([`${o.VARZ[0]!.server.name} answered VARZ but not ACCOUNTZ`]);
    expect(covers(unanswered)).toBe(false);
    expect(covers(parse({ varz: o.VARZ }, AT))).toBe(true); // no creds file any more
  });

  it("the creds file names the account: the user JWT's issuer, or the account a signing key signed for", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lookout-acct-"));
    try {
      const [account, signingKey, user] = [createAccount(), createAccount(), createUser()];
      const direct = join(dir, "direct.creds");
      writeFileSync(direct, fmtCreds(await encodeUser("u", user, account), user));
      const signed = join(dir, "signed.creds");
      writeFileSync(signed, fmtCreds(await encodeUser("u", user, account, {}, { signer: signingKey }), user));
      for (const file of [direct, signed]) {
        const c = readCredentials(file);
        expect([c.account, c.subject, c.problem]).toEqual([account.getPublicKey(), user.getPublicKey(), undefined]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
