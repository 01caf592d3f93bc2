// The servers slice against real clusters of each server line under test: silent on a healthy busy
// cluster; a slow consumer, a restart, a crash loop, a stopped server, JetStream memory at a small
// max_memory_store and an expiring creds file each give their finding.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import type { RunReport } from "../../lib/run/run-slice.ts";
import { serversSlice } from "../../lib/slices/servers.ts";
import { NatsCluster, SYS_USER } from "../../lib/testbed/cluster.ts";
import { produceSlowConsumer } from "../../lib/testbed/slow-consumer.ts";
import { serversUnderTest, versionAtLeast } from "../../lib/testbed/servers.ts";
import { runOnce } from "../harness/run.ts";
import { LOADED_MACHINE } from "./loaded.ts";
import { writeCredsFile } from "./creds.ts";

const configFor = (urls: string[], extra: object = {}) =>
  buildConfig(
    {
      nats: { servers: urls, user: SYS_USER.user, password: SYS_USER.password },
      timeouts: { request: "2s", connect: "2s" },
      thresholds: { servers: LOADED_MACHINE },
      ...extra,
    },
    {},
  );
const newHistory = () => new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-srv-")));
const ids = (r: RunReport) => r.findings.map((f) => f.id).sort();

for (const binary of serversUnderTest()) {
  describe(`servers slice on nats-server ${binary.version}`, () => {
    let cluster: NatsCluster;
    beforeAll(async () => {
      // A client that stops reading is dropped once 1 MB waits for it (2.9: at the write deadline).
      cluster = await NatsCluster.start({ binary, extraConfig: 'max_pending: 1MB\nwrite_deadline: "2s"' });
    });
    afterAll(async () => {
      await cluster?.stop();
    });
    const run = (history: FileHistoryStore) =>
      runOnce(serversSlice, { config: configFor(cluster.runningUrls()), history });

    it("says nothing about a healthy busy cluster, in six requests a run", async () => {
      const nc = await cluster.appConnection();
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "BUSY", subjects: ["busy.>"], num_replicas: 3 });
      await jsm.consumers.add("BUSY", { durable_name: "C", ack_policy: "explicit" });
      const js = jsm.jetstream();
      const history = newHistory();
      const first = await run(history);
      for (let i = 0; i < 300; i++) await js.publish(`busy.${i % 7}`, new Uint8Array(512));
      const second = await run(history);
      await nc.close();
      for (const r of [first, second]) {
        expect(r.findings.map((f) => f.summary)).toEqual([]);
        expect(r.requests.requests).toBe(6);
      }
      expect(second.perf.find((p) => p.name === "servers_answered")?.value).toBe(3);
    });

    it("a stalled reader: SERVER_004 and ACCOUNTS_002 (server, account), resolved once the counts stop", async () => {
      const history = newHistory();
      expect((await run(history)).findings).toEqual([]);
      const s = cluster.servers[0]!;
      const app = cluster.account("APP");
      const publisher = await cluster.appConnection("APP", [cluster.url(0)]);
      try {
        const o = { port: s.port, monitorPort: s.monitorPort, user: app.user, password: app.password };
        await produceSlowConsumer({ ...o, subject: "slow.x", publisher });
      } finally {
        await publisher.close();
      }
      const r = await run(history);
      // The publisher that filled the reader's buffer may be counted as a stalled client too (2.11+).
      const stalled = r.findings.filter((f) => f.id === "server_stalled_clients");
      expect(stalled.every((f) => f.subject.server === s.name && versionAtLeast(binary.version, "2.11.0"))).toBe(true);
      const slow = r.findings.filter((f) => f.id !== "server_stalled_clients");
      expect(slow.map((f) => [f.id, f.code, f.severity, f.subject.server, f.subject.account]).sort()).toEqual([
        ["account_slow_consumers", "ACCOUNTS_002", "critical", s.name, "APP"],
        ["server_slow_consumers", "SERVER_004", "critical", s.name, undefined],
      ]);
      for (const f of slow) expect(Number(f.values.new)).toBeGreaterThanOrEqual(1);
      // The counts stay where they are: no finding, and the alerts resolve (after two clear runs).
      const quiet = [await run(history), await run(history)];
      expect(quiet.map((q) => q.findings)).toEqual([[], []]);
      expect(quiet[1]!.resolved.map((a) => a.finding.id).sort()).toEqual([...r.findings.map((f) => f.id)].sort());
    });

    it("a restart is SERVER_008; killed and restarted twice more, a crash loop (SERVER_009)", async () => {
      const history = newHistory();
      const victim = cluster.servers[1]!;
      expect((await run(history)).findings).toEqual([]);
      await cluster.restart(1);
      const r1 = await run(history);
      expect(
        r1.findings
          .filter((f) => f.id === "server_restarted")
          .map((f) => [f.code, f.subject.server, f.subject.cluster]),
      ).toEqual([["SERVER_008", victim.name, cluster.name]]);
      expect(ids(r1)).not.toContain("server_crash_loop");
      for (let i = 0; i < 2; i++) {
        await cluster.kill(1);
        await cluster.restart(1);
        await run(history);
      }
      const r3 = await run(history);
      const loop = r3.findings.find((f) => f.id === "server_crash_loop");
      expect([loop?.code, loop?.subject.server, loop?.values.starts]).toEqual(["SERVER_009", victim.name, 4]);
      await cluster.waitForMetaLeader();
    });

    it("a stopped server is named as not answering, with how long", async () => {
      const history = newHistory();
      const victim = cluster.servers[2]!;
      expect(ids(await run(history))).not.toContain("server_not_answering");
      await cluster.stopServer(2);
      try {
        const r = await run(history);
        const f = r.findings.filter((x) => x.id === "server_not_answering");
        expect(f.map((x) => [x.subject.server, x.subject.cluster, x.severity])).toEqual([
          [victim.name, cluster.name, "critical"],
        ]);
        expect(f[0]!.summary).toMatch(/has not answered for \d/);
      } finally {
        await cluster.restart(2);
        await cluster.waitForMetaLeader();
      }
    });
  });

  describe(`servers slice on one nats-server ${binary.version} with max_memory_store 4MB`, () => {
    let server: NatsCluster;
    beforeAll(async () => {
      server = await NatsCluster.start({ binary, size: 1, maxMem: "4MB" });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("JetStream memory near reserved and near the maximum: JETSTREAM_007 and the maximum check, critical", async () => {
      const history = newHistory();
      const config = configFor(server.urls);
      expect((await runOnce(serversSlice, { config, history })).findings).toEqual([]);
      const nc = await server.appConnection();
      const jsm = await jetstreamManager(nc);
      const maxMem = 4 * 1024 * 1024;
      await jsm.streams.add({
        name: "MEM",
        subjects: ["mem.>"],
        storage: "memory",
        max_bytes: Math.floor(maxMem * 0.97),
        discard: "old",
      });
      const js = jsm.jetstream();
      for (let i = 0; i < 1100; i++) await js.publish("mem.x", new Uint8Array(4000));
      await nc.close();
      const r = await runOnce(serversSlice, { config, history });
      expect(r.findings.map((f) => [f.id, f.code, f.severity]).sort()).toEqual([
        ["server_js_memory_max", null, "critical"],
        ["server_js_memory_reserved_critical", "JETSTREAM_007", "critical"],
      ]);
    });

    it("the monitor's creds file: a user JWT expiring in 2 days is critical, in 10 days a warning, in 30 days nothing", async () => {
      const dir = mkdtempSync(join(tmpdir(), "lookout-creds-"));
      const nc = await server.sysConnection();
      try {
        const day = 86_400_000;
        const got: (string | undefined)[] = [];
        for (const days of [2, 10, 30]) {
          const file = join(dir, `u${days}.creds`);
          writeCredsFile(file, Date.now() + days * day, Date.now());
          // The file is read for its expiry; this connection authenticates with a password.
          const config = configFor(server.urls, { nats: { servers: server.urls, creds: file } });
          const ctx = { config, stats: newRequestStats(), now: Date.now, previous: undefined };
          const snap = await serversSlice.collect(nc, ctx);
          const f = serversSlice
            .judge(snap, undefined, config)
            .findings.filter((x) => x.id === "monitor_credentials_expiring");
          got.push(f[0]?.severity);
          if (f[0]) expect(f[0].summary).toContain(file);
        }
        expect(got).toEqual(["critical", "warning", undefined]);
      } finally {
        await nc.close();
      }
    });
  });
}
