// The streams slice against real servers of each line under test: a 3-server hub (domain "hub")
// and a single-server edge domain joined by leafnodes (see topology.ts), streams in accounts APP
// and OTHER. Tests run in order; the destructive ones (kill the edge, stop 2 of 3) come last.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectStreamsSystem } from "../../lib/collect/streams.ts";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import { SharedConnection } from "../../lib/run/connection.ts";
import { runSlice, type RunReport } from "../../lib/run/run-slice.ts";
import { streamsSlice } from "../../lib/slices/streams.ts";
import type { StreamsSnapshot } from "../../lib/snapshot/streams.ts";
import { SYS_USER, waitFor } from "../../lib/testbed/cluster.ts";
import { serversUnderTest, versionAtLeast } from "../../lib/testbed/servers.ts";
import { addStream, publishTo, startHubAndEdge, type HubAndEdge } from "./topology.ts";

const newHistory = () => new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-streams-h-")));

for (const binary of serversUnderTest()) {
  describe(`streams slice on nats-server ${binary.version}`, () => {
    let t: HubAndEdge;
    let sys: NatsConnection;
    let edgeApp: NatsConnection;

    beforeAll(async () => {
      t = await startHubAndEdge(binary);
      sys = await t.hub.sysConnection();
      const app = await t.hub.appConnection("APP");
      const other = await t.hub.appConnection("OTHER");
      edgeApp = await t.edge.appConnection("APP");
      await addStream(edgeApp, { name: "SRC", subjects: ["src.>"], num_replicas: 1 });
      await addStream(app, {
        name: "ORDERS",
        subjects: ["orders.>"],
        num_replicas: 3,
        ...(binary.hasMetadata ? { metadata: { "io.nats.monitor.peer-seen-critical": "3s" } } : {}),
      });
      await addStream(app, { name: "OVR", subjects: ["ovr.>"], num_replicas: 3 });
      await addStream(app, { name: "BACKUP", mirror: { name: "ORDERS" }, num_replicas: 3 });
      await addStream(app, {
        name: "EDGEMIRROR",
        num_replicas: 3,
        mirror: { name: "SRC", external: { api: "$JS.edge.API", deliver: "" } },
      });
      await addStream(app, { name: "CHK_A", subjects: ["chka.>"], num_replicas: 1 });
      await addStream(other, { name: "CHK_O", subjects: ["chko.>"], num_replicas: 3 });
      await addStream(app, { name: "AGG", num_replicas: 1, sources: [{ name: "ORDERS" }, { name: "CHK_A" }] });
      // Dozens of streams, both accounts, R1 and R3.
      for (let i = 0; i < 12; i++) {
        await addStream(i % 2 ? other : app, {
          name: `FILL_${i}`,
          subjects: [`fill${i}.>`],
          num_replicas: i % 3 === 0 ? 3 : 1,
        });
        await addStream(i % 2 ? app : other, {
          name: `MORE_${i}`,
          subjects: [`more${i}.>`],
          num_replicas: i % 4 === 0 ? 3 : 1,
        });
      }
      await publishTo(app, "chka.1");
      await publishTo(other, "chko.1");
      for (let i = 0; i < 5; i++) await publishTo(app, `orders.${i}`);
      for (let i = 0; i < 3; i++) await publishTo(edgeApp, "src.a");
      await app.close();
      await other.close();
      await waitFor(
        "mirrors and sources caught up",
        async () => {
          const s = await collect();
          const seq = (n: string) => s.streams.find((v) => v.name === n)?.lastSeq;
          return seq("BACKUP") === 5 && seq("EDGEMIRROR") === 3 && seq("AGG") === 6 ? true : undefined;
        },
        60_000,
        500,
      );
    });
    afterAll(async () => {
      await edgeApp?.close().catch(() => undefined);
      await sys?.close().catch(() => undefined);
      await t?.stop();
    });

    async function collect(streamLeaderOnly = false): Promise<StreamsSnapshot> {
      const o: Parameters<typeof collectStreamsSystem>[1] = {
        timeoutMs: 1500,
        stats: newRequestStats(),
        streamLeaderOnly,
      };
      return collectStreamsSystem(sys, o);
    }

    /** One streams run through the whole pipeline; a fresh history unless one is given. */
    async function run(doc: Record<string, unknown> = {}, history = newHistory()): Promise<RunReport> {
      const config = buildConfig(
        {
          // A fixed label: the history key must not change with the set of running servers.
          cluster: "hub",
          nats: { servers: t.hub.runningUrls(), user: SYS_USER.user, password: SYS_USER.password },
          timeouts: { request: "1500ms", connect: "2s" },
          ...doc,
        },
        {},
      );
      const conn = new SharedConnection(config.nats, config.timeouts.connectMs);
      try {
        return await runSlice(streamsSlice, {
          config,
          history,
          notifiers: [],
          connection: conn.get,
          describeError: conn.describe,
        });
      } finally {
        await conn.close();
      }
    }
    const of = (r: RunReport, id: string) => r.findings.filter((f) => f.id === id);

    it("a healthy cluster with dozens of streams in two accounts yields nothing, in one request", async () => {
      const r = await run();
      expect(r.findings).toEqual([]);
      expect(r.requests.requests).toBe(1);

      const s = await collect();
      const fill = Array.from({ length: 12 }, (_, i) => [
        `${i % 2 ? "OTHER" : "APP"}/FILL_${i}`,
        `${i % 2 ? "APP" : "OTHER"}/MORE_${i}`,
      ]).flat();
      const named = [
        "APP/SRC",
        "APP/ORDERS",
        "APP/OVR",
        "APP/BACKUP",
        "APP/EDGEMIRROR",
        "APP/CHK_A",
        "OTHER/CHK_O",
        "APP/AGG",
      ];
      expect(s.streams.map((v) => `${v.account}/${v.name}`).sort()).toEqual([...named, ...fill].sort());
      expect(new Set(s.streams.map((v) => v.account))).toEqual(new Set(["APP", "OTHER"]));
      expect(s.streams.every((v) => v.status === "led" && v.reportedBy === v.leader)).toBe(true);
      expect(s.gaps).toEqual([]);
      expect(s.silent).toEqual([]);
      expect(s.servers).toHaveLength(4); // the edge server answers over the system account's leafnode

      // What stream_leader_only saves, and that (with no leaderless stream) it sees the same streams.
      const lo = await collect(true);
      expect(lo.streams.map((v) => `${v.account}/${v.name}`)).toEqual(s.streams.map((v) => `${v.account}/${v.name}`));
      if (versionAtLeast(binary.version, "2.10.19")) expect(lo.stats.bytesDecoded).toBeLessThan(s.stats.bytesDecoded); // older servers ignore the option
      console.log(
        `[streams ${binary.version}] ${s.streams.length} streams, ${s.servers.length} servers: JSZ ${s.stats.bytesReceived} B gzip / ${s.stats.bytesDecoded} B json; stream_leader_only ${lo.stats.bytesReceived} B gzip / ${lo.stats.bytesDecoded} B json`,
      );
    });

    it("checks streams in both accounts: an override on CHK_* fires for APP and for OTHER", async () => {
      const r = await run({
        thresholds: { streams: { overrides: [{ stream: "CHK_*", values: { "msgs-critical": "1" } }] } },
      });
      expect(r.findings.map((f) => `${f.id} ${f.subject.account}/${f.subject.stream}`).sort()).toEqual([
        "stream_messages APP/CHK_A",
        "stream_messages OTHER/CHK_O",
      ]);
      const fs = of(r, "stream_messages");
      expect(fs.every((f) => f.code === "JETSTREAM_024" && f.values.value === 1 && f.values.threshold === 1)).toBe(
        true,
      );
      expect(r.findings).toHaveLength(2);
    });

    it("account mode works with APP credentials only, and sees only APP's streams", async () => {
      const doc = { mode: "account", nats: { servers: t.hub.runningUrls(), user: "app", password: "app-secret" } };
      const healthy = await run(doc);
      expect(healthy.findings).toEqual([]);
      // who am I ($SYS.REQ.USER.INFO; 2.9 has none: then the account's STATZ) + one STREAM.LIST page
      expect(healthy.requests.requests).toBe(versionAtLeast(binary.version, "2.10.0") ? 2 : 3);
      const r = await run({
        ...doc,
        thresholds: { streams: { overrides: [{ stream: "CHK_*", values: { "msgs-critical": "1" } }] } },
      });
      // $SYS.REQ.USER.INFO (2.10+) or the account's STATZ (2.9) names the account.
      expect(r.findings.map((f) => [f.id, f.subject.account, f.subject.stream])).toEqual([
        ["stream_messages", "APP", "CHK_A"],
      ]);
    });

    it.runIf(binary.hasMetadata)(
      "a malformed metadata threshold is a warning naming stream, key and value; the stream's other checks still run",
      async () => {
        const app = await t.hub.appConnection("APP");
        try {
          await addStream(app, {
            name: "BADMETA",
            subjects: ["bad.>"],
            num_replicas: 1,
            metadata: { "io.nats.monitor.peer-seen-critical": "five minutes", "io.nats.monitor.msgs-critical": "1" },
          });
          await publishTo(app, "bad.1");
          const r = await run();
          const w = of(r, "threshold_invalid");
          expect(w).toHaveLength(1);
          expect(w[0]!.severity).toBe("warning");
          expect(w[0]!.subject).toMatchObject({ account: "APP", stream: "BADMETA" });
          expect(w[0]!.summary).toContain('io.nats.monitor.peer-seen-critical="five minutes"');
          expect(of(r, "stream_messages").map((f) => f.subject.stream)).toEqual(["BADMETA"]);
          expect(r.status).toBe("critical");
        } finally {
          await (await jetstreamManager(app)).streams.delete("BADMETA").catch(() => undefined);
          await app.close();
        }
      },
    );

    it("a frozen follower of an R3 stream is JETSTREAM_023 past a short threshold (metadata on 2.10+, a config override on any version), and clears after thaw", async () => {
      const s = await collect();
      const leaders = new Set(["ORDERS", "OVR"].map((n) => s.streams.find((v) => v.name === n)!.leader));
      const victim = t.hub.servers.find((x) => !leaders.has(x.name))!;
      const history = newHistory();
      const doc = {
        thresholds: { streams: { overrides: [{ stream: "OVR", values: { "peer-seen-critical": "3s" } }] } },
      };
      t.hub.freeze(victim.index);
      let fired: RunReport;
      try {
        fired = await waitFor(
          "JETSTREAM_023 for the frozen follower",
          async () => {
            const r = await run(doc, history);
            const peers = of(r, "stream_peer_seen")
              .filter((f) => f.subject.peer === victim.name)
              .map((f) => f.subject.stream);
            const want = binary.hasMetadata ? ["ORDERS", "OVR"] : ["OVR"];
            return want.every((n) => peers.includes(n)) ? r : undefined;
          },
          60_000,
          500,
        );
      } finally {
        t.hub.thaw(victim.index);
      }
      const seen = of(fired, "stream_peer_seen").filter((f) => f.subject.peer === victim.name);
      const ovr = seen.find((f) => f.subject.stream === "OVR")!;
      expect(ovr.code).toBe("JETSTREAM_023");
      expect(ovr.values).toMatchObject({ threshold_ms: 3000, threshold_origin: "override" });
      expect(Number(ovr.values.active_ms)).toBeGreaterThan(3000);
      if (binary.hasMetadata)
        expect(seen.find((f) => f.subject.stream === "ORDERS")!.values.threshold_origin).toBe("metadata");
      // The frozen server cannot answer: named, so what it alone leads is known to be unchecked.
      expect(of(fired, "monitor_partial")[0]?.summary).toContain(victim.name);
      // Streams with the default 1m threshold did not fire in these few seconds.
      expect(seen.every((f) => ["ORDERS", "OVR"].includes(f.subject.stream!))).toBe(true);

      await t.hub.waitForMetaLeader(60_000);
      const resolved = await waitFor(
        "the peer-seen alerts to resolve after thaw",
        async () => {
          const r = await run(doc, history);
          return r.resolved.some((a) => a.finding.id === "stream_peer_seen" && a.finding.subject.stream === "OVR")
            ? r
            : undefined;
        },
        60_000,
        500,
      );
      expect(of(resolved, "stream_peer_seen")).toEqual([]);
    });

    it("JETSTREAM_015: a mirror silent at lag 0 while its source grows is stalled; with an idle source it is not", async () => {
      const doc = {
        thresholds: {
          streams: {
            "mirror-stall-after": "3s",
            overrides: [{ stream: "EDGEMIRROR", values: { "seen-critical": "3s" } }],
          },
        },
      };
      const mirrorOf = async () => (await collect()).streams.find((v) => v.name === "EDGEMIRROR")!;
      const stale = () =>
        waitFor(
          "the mirror to go silent",
          async () => {
            const m = await mirrorOf();
            return m.mirror!.activeMs > 4000 ? m : undefined;
          },
          60_000,
          500,
        );
      const caughtUp = () =>
        waitFor(
          "the mirror to catch up",
          async () => {
            const s = await collect();
            const src = s.streams.find((v) => v.name === "SRC")!;
            const m = s.streams.find((v) => v.name === "EDGEMIRROR")!;
            return m.lastSeq === src.lastSeq && m.mirror!.activeMs < 2000 ? true : undefined;
          },
          90_000,
          1000,
        );

      // Growing source.
      const grow = newHistory();
      expect(of(await run(doc, grow), "mirror_stalled")).toEqual([]);
      t.appLink.cut();
      try {
        for (let i = 0; i < 4; i++) await publishTo(edgeApp, "src.b", "y");
        const m = await stale();
        expect(m.mirror!.lag).toBe(0);
        const r = await run(doc, grow);
        const f = of(r, "mirror_stalled");
        expect(f.map((x) => [x.subject.stream, x.subject.source, x.severity])).toEqual([
          ["EDGEMIRROR", "SRC", "warning"],
        ]); // the catalog's severity
        expect(f[0]!.code).toBe("JETSTREAM_015");
        expect(Number(f[0]!.values.source_last_seq)).toBeGreaterThan(Number(f[0]!.values.source_seq_before));
        expect(f[0]!.values.lag).toBe(0);
      } finally {
        t.appLink.restore();
      }
      await caughtUp();

      // Idle source: the same silence, no stall.
      const idle = newHistory();
      expect(of(await run(doc, idle), "mirror_stalled")).toEqual([]);
      t.appLink.cut();
      try {
        await stale();
        const r = await run(doc, idle);
        expect(of(r, "mirror_seen").map((x) => x.subject.stream)).toEqual(["EDGEMIRROR"]); // it was silent...
        expect(of(r, "mirror_stalled")).toEqual([]); // ...but nothing was missed
      } finally {
        t.appLink.restore();
      }
      await caughtUp();
    });

    it("a mirror whose source server is killed is JETSTREAM_018 while its lag stays 0", async () => {
      const doc = {
        thresholds: { streams: { overrides: [{ stream: "EDGEMIRROR", values: { "seen-critical": "3s" } }] } },
      };
      await t.edge.kill(0);
      try {
        const r = await waitFor(
          "JETSTREAM_018",
          async () => {
            const x = await run(doc);
            return of(x, "mirror_seen").length ? x : undefined;
          },
          60_000,
          500,
        );
        const f = of(r, "mirror_seen");
        expect(f.map((x) => [x.subject.stream, x.subject.source, x.code])).toEqual([
          ["EDGEMIRROR", "SRC", "JETSTREAM_018"],
        ]);
        expect(f[0]!.values.lag).toBe(0);
        expect(Number(f[0]!.values.active_ms)).toBeGreaterThan(3000);
        expect(of(r, "mirror_lag")).toEqual([]);
      } finally {
        await t.edge.restart(0);
      }
    });

    it("stopping 2 of 3 servers is JETSTREAM_008 for the R3 streams", async () => {
      await t.hub.stopServer(1);
      await t.hub.stopServer(2);
      try {
        const r = await waitFor(
          "JETSTREAM_008",
          async () => {
            const x = await run();
            const lost = x.findings
              .filter((f) => f.code === "JETSTREAM_008")
              .map((f) => `${f.subject.account}/${f.subject.stream}`);
            return ["APP/ORDERS", "APP/OVR", "OTHER/CHK_O"].every((n) => lost.includes(n)) ? x : undefined;
          },
          60_000,
          1000,
        );
        expect(r.status).toBe("critical");
        const lost = r.findings.find((f) => f.code === "JETSTREAM_008" && f.subject.stream === "ORDERS")!;
        expect(lost.severity).toBe("critical");
        expect(lost.subject.account).toBe("APP");
        for (const s of [t.hub.servers[1]!, t.hub.servers[2]!])
          expect(of(r, "monitor_partial")[0]!.summary).toContain(s.name);
      } finally {
        await t.hub.restart(1);
        await t.hub.restart(2);
      }
      await t.hub.waitForMetaLeader(60_000);
    });
  });
}
