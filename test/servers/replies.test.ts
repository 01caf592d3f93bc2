// The servers slice's parsing and checks on replies captured from real 3-node clusters (2.9.10,
// 2.10.27, 2.15.1), altered where a condition cannot be produced here (healthz error types, high RTT,
// CPU, counters, gateways of a supercluster).
import * as nodeFs from "node:fs";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  expectedVarz,
  parseServersReplies,
  readCredentials,
  rttMs,
  type ServersReplies,
} from "../../lib/collect/servers.ts";
import { judgeServers } from "../../lib/checks/servers/run.ts";
import { DEFAULT_SERVER_THRESHOLDS as T } from "../../lib/checks/servers/thresholds.ts";
import type { ServersObservation } from "../../lib/checks/servers/observation.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import type { SysEnvelope } from "../../lib/nats/wire.ts";
import type { ServersSnapshot } from "../../lib/snapshot/servers.ts";

type Env = SysEnvelope<Record<string, unknown>>;
interface Capture {
  VARZ: Env[];
  HEALTHZ: Env[];
  ROUTEZ: Env[];
  GATEWAYZ: Env[];
  LEAFZ: Env[];
}
const load = (v: string): Capture =>
  JSON.parse(readFileSync(new URL(`../fixtures/servers/replies-${v}.json`, import.meta.url), "utf8")) as Capture;
const VERSIONS = ["2.9.10", "2.10.27", "2.15.1"];
const AT = Date.parse("2026-11-30T18:00:00Z");

function parse(c: Capture, at = AT): ServersSnapshot {
  const r: ServersReplies = {
    varz: c.VARZ,
    healthz: c.HEALTHZ,
    routez: c.ROUTEZ,
    gatewayz: c.GATEWAYZ,
    leafz: c.LEAFZ,
  };
  return parseServersReplies(r, { collectedAt: at, timeoutMs: 1000, stats: newRequestStats() });
}
const judge = (s: ServersSnapshot, prev?: ServersObservation) => judgeServers(s, prev, T);
const ids = (fs: { id: string }[]) => fs.map((f) => f.id).sort();
type JsWire = { meta: Record<string, unknown>; stats: Record<string, number>; config: Record<string, number> };
const data = (e: Env) => e.data as Record<string, unknown> & { jetstream: JsWire };

describe("servers slice on captured replies", () => {
  for (const v of VERSIONS) {
    it(`${v}: three healthy servers, each routed to both peers, judge to no finding`, () => {
      const snap = parse(load(v));
      expect(snap.blind).toBeUndefined();
      expect(snap.servers.map((s) => s.version)).toEqual([v, v, v]);
      for (const s of snap.servers) {
        expect(s.health?.status).toBe("ok");
        expect(new Set(s.routes!.map((r) => r.remoteId)).size).toBe(2);
        expect(s.jetstream!.maxMemory).toBe(256 * 1048576);
        expect(s.authRequired).toBe(true);
      }
      expect(snap.problems).toEqual([]);
      expect(judge(snap).findings).toEqual([]);
    });
  }

  it("VARZ waits for the servers known before, and for a cluster's size as its route URLs tell it", () => {
    const c = load("2.10.27");
    const varz = c.VARZ as unknown as Parameters<typeof expectedVarz>[0];
    expect(expectedVarz(varz, undefined)).toBeUndefined();
    expect(expectedVarz(varz, 2)).toBe(3);
    expect(expectedVarz(varz, 5)).toBe(5);
    // A fourth server joined: its peers' route URLs name it before it answers.
    const grown = varz.map((r) => ({
      ...r,
      data: { ...r.data, cluster: { ...r.data!.cluster, urls: [...(r.data!.cluster?.urls ?? []), "127.0.0.1:1"] } },
    }));
    expect(expectedVarz(grown.slice(0, 1), 3)).toBe(4);
  });

  it("no VARZ reply at all is blind, and says which request", () => {
    const snap = parseServersReplies({ varz: [] }, { collectedAt: AT, timeoutMs: 700, stats: newRequestStats() });
    expect(snap.blind).toContain("VARZ within 700 ms");
    expect(ids(judge(snap).findings)).toEqual(["monitor_blind"]);
  });

  it("healthz error types map to SERVER_014/015/016 with the server's own text; an untyped error to SERVER_001", () => {
    const c = load("2.10.27");
    c.HEALTHZ[0]!.data = {
      status: "unavailable",
      status_code: 503,
      errors: [{ type: "JETSTREAM", error: "JetStream is not current with the meta leader" }],
    };
    c.HEALTHZ[1]!.data = {
      status: "unavailable",
      status_code: 503,
      errors: [
        { type: "STREAM", account: "APP", stream: "ORDERS", error: "JetStream stream 'APP > ORDERS' is not current" },
        {
          type: "CONSUMER",
          account: "APP",
          stream: "ORDERS",
          consumer: "C1",
          error: "JetStream consumer 'APP > ORDERS > C1' is not current",
        },
        { type: "ACCOUNT", account: "OTHER", error: "JetStream account 'OTHER' could not be resolved" },
      ],
    };
    c.HEALTHZ[2]!.data = { status: "unavailable", error: "JetStream has not established contact with a meta leader" };
    const f = judge(parse(c)).findings;
    const js = f.find((x) => x.id === "server_health_jetstream")!;
    expect([js.code, js.severity, js.subject.server]).toEqual(["SERVER_014", "critical", c.HEALTHZ[0]!.server.name]);
    expect(js.summary).toContain("not current with the meta leader");
    const assets = f.filter((x) => x.id === "server_health_asset");
    expect(assets.map((x) => [x.code, x.subject.stream, x.subject.consumer])).toEqual([
      ["SERVER_015", "ORDERS", undefined],
      ["SERVER_015", "ORDERS", "C1"],
    ]);
    const acc = f.find((x) => x.id === "server_health_account")!;
    expect([acc.code, acc.subject.account]).toEqual(["SERVER_016", "OTHER"]);
    const plain = f.find((x) => x.id === "server_health")!;
    expect([plain.code, plain.subject.server]).toEqual(["SERVER_001", c.HEALTHZ[2]!.server.name]);
    expect(plain.summary).toContain("has not established contact");
    expect(plain.why.length).toBeGreaterThan(20);
  });

  it("route RTT above 50 ms is SERVER_010 naming the peer; a gateway's above 50 ms SERVER_018", () => {
    const c = load("2.15.1");
    const routes = (c.ROUTEZ[0]!.data as { routes: { rtt: string; remote_name: string }[] }).routes;
    routes[0]!.rtt = "75.25ms";
    (c.GATEWAYZ[1]!.data as Record<string, unknown>).outbound_gateways = {
      east: { connection: { rtt: "120ms", cid: 9 } },
    };
    const f = judge(parse(c)).findings;
    const r = f.filter((x) => x.id === "route_rtt");
    expect(r.map((x) => [x.code, x.subject.peer, x.values.rtt_ms])).toEqual([
      ["SERVER_010", routes[0]!.remote_name, 75.3],
    ]);
    const g = f.filter((x) => x.id === "gateway_rtt");
    expect(g.map((x) => [x.code, x.subject.server, x.subject.peer])).toEqual([
      ["SERVER_018", c.GATEWAYZ[1]!.server.name, "east"],
    ]);
    expect(rttMs("1.5s")).toBe(1500);
    expect(rttMs("")).toBeUndefined();
  });

  it("CPU per core, connections and JetStream usage against reserved and maximum", () => {
    const c = load("2.10.27");
    Object.assign(data(c.VARZ[0]!), { cpu: 380, cores: 4 });
    Object.assign(data(c.VARZ[1]!), { cpu: 300, cores: 4, connections: 81, max_connections: 100 });
    const js = data(c.VARZ[2]!).jetstream;
    Object.assign(js.stats, { memory: 960, reserved_memory: 1000, storage: 930, reserved_storage: 1000 });
    Object.assign(js.config, { max_memory: 1010, max_storage: 1_000_000 });
    const f = judge(parse(c)).findings;
    expect(f.filter((x) => x.id === "server_cpu").map((x) => [x.code, x.subject.server])).toEqual([
      ["SERVER_003", c.VARZ[0]!.server.name],
    ]);
    expect(f.filter((x) => x.id === "server_connections").map((x) => x.code)).toEqual(["SERVER_011"]);
    const on2 = f.filter((x) => x.subject.server === c.VARZ[2]!.server.name);
    expect(on2.map((x) => [x.code, x.severity]).sort()).toEqual([
      [null, "critical"],
      ["JETSTREAM_007", "critical"],
      ["SERVER_017", "warning"],
    ]);
  });

  it("SERVER_002 compares a server with its own cluster's majority only", () => {
    const c = load("2.10.27");
    c.VARZ[2]!.server.ver = "2.10.20";
    expect(judge(parse(c)).findings.map((x) => [x.code, x.subject.server])).toEqual([
      ["SERVER_002", c.VARZ[2]!.server.name],
    ]);
    // Another cluster on an older line, all of one version: nothing to say.
    const other = load("2.9.10");
    const both = { ...c, VARZ: [...load("2.10.27").VARZ, ...other.VARZ] };
    const snap = parse(both);
    expect(new Set(snap.servers.map((s) => s.cluster)).size).toBe(2);
    expect(judge(snap).findings.filter((x) => x.id === "server_version_differs")).toEqual([]);
  });

  it("SERVER_007 when a server does not require authentication; META_007 and META_008 from VARZ", () => {
    const c = load("2.15.1");
    data(c.VARZ[1]!).auth_required = false;
    const leader = data(c.VARZ[0]!).jetstream.meta.leader as string;
    const lv = c.VARZ.find((e) => e.server.name === leader)!;
    data(lv).jetstream.meta.pending = 501;
    for (const e of c.VARZ) data(e).jetstream.meta.cluster_size = 4;
    // An even size once is not enough (a count can blip): twice in a row is.
    expect(judge(parse(c)).findings.map((x) => x.id)).not.toContain("meta_even_size");
    const f = judge(parse(c, AT + 60_000), judge(parse(c)).observation).findings;
    expect(f.find((x) => x.id === "server_auth_not_required")?.subject.server).toBe(c.VARZ[1]!.server.name);
    expect(f.find((x) => x.id === "meta_leader_pending")?.subject.server).toBe(leader);
    expect(f.find((x) => x.id === "meta_even_size")?.code).toBe("META_007");
  });

  it("CLUSTER_005 when a server has no route to an answering peer (pooled routes count once)", () => {
    const c = load("2.10.27");
    const rz = c.ROUTEZ[0]!.data as { routes: { remote_id: string }[] };
    const gone = rz.routes[0]!.remote_id;
    rz.routes = rz.routes.filter((r) => r.remote_id !== gone);
    const f = judge(parse(c)).findings.filter((x) => x.id === "cluster_routes_missing");
    expect(f.map((x) => x.subject.server)).toEqual([c.ROUTEZ[0]!.server.name]);
    expect(f[0]!.summary).toContain(c.VARZ.find((e) => e.server.id === gone)!.server.name);
  });

  it("history: a restart is SERVER_008, with another version an upgrade (info); three starts in an hour SERVER_009; counters as deltas", () => {
    const c = load("2.15.1");
    const name = c.VARZ[0]!.server.name;
    const run = (start: string, ver: string, slow: number, prev: ServersObservation | undefined, at: number) => {
      const x = load("2.15.1");
      x.VARZ[0]!.server.ver = ver;
      Object.assign(data(x.VARZ[0]!), { start, slow_consumers: slow, stale_connections: slow });
      return judge(parse(x, at), prev);
    };
    const r1 = run("2026-11-30T17:30:00Z", "2.15.1", 0, undefined, AT);
    expect(r1.findings).toEqual([]);
    const r2 = run("2026-11-30T17:30:00Z", "2.15.1", 3, r1.observation, AT + 60_000);
    expect(ids(r2.findings)).toEqual(["server_slow_consumers", "server_stale_connections"]);
    expect(r2.findings[0]!.values.new).toBe(3);
    const r3 = run("2026-11-30T18:01:30Z", "2.15.1", 0, r2.observation, AT + 120_000);
    expect(r3.findings.map((f) => [f.code, f.subject.server])).toEqual([["SERVER_008", name]]);
    const r4 = run("2026-11-30T18:02:30Z", "2.15.2", 0, r3.observation, AT + 180_000);
    expect(r4.findings.map((f) => [f.id, f.severity]).sort()).toEqual([
      ["server_crash_loop", "critical"],
      ["server_upgraded", "info"],
      ["server_version_differs", "warning"],
    ]);
    // The server stops answering: named with how long, and its memory kept.
    const gone = load("2.15.1");
    gone.VARZ = gone.VARZ.slice(1);
    const r5 = judge(parse(gone, AT + 240_000), r4.observation);
    const silent = r5.findings.find((f) => f.id === "server_not_answering")!;
    expect(silent.subject.server).toBe(name);
    expect(silent.summary).toContain("1m");
  });

  it("CLUSTER_007 keys a gateway on the remote cluster: a reconnect is not a loss, a missing gateway is", () => {
    const gw = (cid: number | undefined) => {
      const x = load("2.10.27");
      (x.GATEWAYZ[0]!.data as Record<string, unknown>).outbound_gateways =
        cid === undefined ? {} : { east: { connection: { cid, rtt: "1ms" } } };
      return x;
    };
    const r1 = judge(parse(gw(5), AT));
    const r2 = judge(parse(gw(17), AT + 60_000), r1.observation);
    expect(r2.findings).toEqual([]);
    const r3 = judge(parse(gw(undefined), AT + 120_000), r2.observation);
    expect(r3.findings.map((f) => [f.code, f.subject.server, f.subject.peer])).toEqual([
      ["CLUSTER_007", gw(1).GATEWAYZ[0]!.server.name, "east"],
    ]);
    // Still missing a run later: still firing.
    expect(ids(judge(parse(gw(undefined), AT + 180_000), r3.observation).findings)).toEqual(["gateway_lost"]);
  });

  it("reads a creds file's user JWT expiry without keeping the secret", () => {
    const claims = Buffer.from(JSON.stringify({ exp: 1_800_000_000, sub: "UABC" })).toString("base64url");
    const file = `/tmp/lookout-creds-${process.pid}.creds`;
    const text = `-----BEGIN NATS USER JWT-----\neyJ0eXAiOiJKV1QifQ.${claims}.c2ln\n------END NATS USER JWT------\n`;
    const fs = nodeFs;
    fs.writeFileSync(file, text);
    try {
      expect(readCredentials(file)).toEqual({ file, expiresAt: 1_800_000_000_000, subject: "UABC" });
    } finally {
      fs.rmSync(file);
    }
    expect(readCredentials("/nonexistent/x.creds").problem).toContain("ENOENT");
  });
});
