// The consumers slice against real 3-server clusters of each line under test. Tests run in order on
// one cluster per version; the destructive one (a frozen, then stopped follower) comes last.
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectConsumersAccount } from "../../lib/collect/consumers-account.ts";
import { collectConsumersSystem } from "../../lib/collect/consumers-jsz.ts";
import type { ConsumersObservation } from "../../lib/checks/consumers/judge.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import type { RunReport } from "../../lib/run/run-slice.ts";
import { consumerKey, type ConsumersSnapshot, type ConsumerView } from "../../lib/snapshot/consumers.ts";
import { NatsCluster, sleep, waitFor } from "../../lib/testbed/cluster.ts";
import { serversUnderTest, versionAtLeast } from "../../lib/testbed/servers.ts";
import type { ConsumerThresholdConfig } from "../../lib/thresholds/consumer-keys.ts";
import { addStream, publishTo } from "../streams/topology.ts";
import { consumersConfig, findingsAbout as about, newHistory, runConsumers as run } from "./slice-runs.ts";

const SECOND_NS = 1_000_000_000;

for (const binary of serversUnderTest()) {
  describe(`consumers slice on nats-server ${binary.version}`, () => {
    let c: NatsCluster;
    let sys: NatsConnection;
    let app: NatsConnection;
    let jsm: JetStreamManager;
    let publishing = true;
    let working = true;
    const loops: Promise<void>[] = [];

    beforeAll(async () => {
      c = await NatsCluster.start({ binary });
      sys = await c.sysConnection();
      app = await c.appConnection("APP");
      jsm = await jetstreamManager(app);
      // A fresh cluster on a loaded machine may take a while before it can place an R3 stream.
      await addStream(app, { name: "ORDERS", subjects: ["orders.>"], num_replicas: 3 }, 90_000);
      await addStream(app, { name: "EVENTS", subjects: ["events.>"], num_replicas: 1 });
      await jsm.consumers.add("ORDERS", { durable_name: "WORKER", ack_policy: AckPolicy.Explicit });
      await jsm.consumers.add("ORDERS", { durable_name: "WORKER_R1", ack_policy: AckPolicy.Explicit, num_replicas: 1 });
      await jsm.consumers.add("EVENTS", { durable_name: "AUDIT", ack_policy: AckPolicy.Explicit });
      await publishTo(app, "orders.0");
      await publishTo(app, "events.0");
      // A busy cluster: a publisher and workers that fetch and acknowledge everything.
      const js = jetstream(app);
      loops.push(
        (async () => {
          for (let i = 0; publishing; i++) {
            await js.publish(`orders.${i % 7}`, "x").catch(() => undefined);
            await js.publish(`events.${i % 3}`, "y").catch(() => undefined);
            await sleep(20);
          }
        })(),
      );
      for (const [stream, name] of [
        ["ORDERS", "WORKER"],
        ["ORDERS", "WORKER_R1"],
        ["EVENTS", "AUDIT"],
      ] as const) {
        loops.push(
          (async () => {
            while (working) {
              // A loaded machine or a frozen server may fail a request: the worker carries on.
              try {
                const consumer = await js.consumers.get(stream, name);
                const batch = await consumer.fetch({ max_messages: 50, expires: 1000 });
                for await (const m of batch) m.ack();
              } catch {
                await sleep(200);
              }
            }
          })(),
        );
      }
      // Some consumer leaders away from their stream's leader, which is where a consumer's own view lives.
      for (const name of ["WORKER", "WORKER_R1"])
        await app
          .request(`$JS.API.CONSUMER.LEADER.STEPDOWN.ORDERS.${name}`, "", { timeout: 3000 })
          .catch(() => undefined);
      await waitFor(
        "every consumer led",
        async () => {
          const s = await collect();
          return s.consumers.length === 3 && s.consumers.every((v) => v.status === "led") ? true : undefined;
        },
        30_000,
        500,
      );
    });
    afterAll(async () => {
      publishing = false;
      working = false;
      await Promise.race([Promise.all(loops), sleep(3000)]);
      await app?.close().catch(() => undefined);
      await sys?.close().catch(() => undefined);
      await c?.stop();
    });

    async function collect(): Promise<ConsumersSnapshot> {
      return collectConsumersSystem(sys, { timeoutMs: 1500, stats: newRequestStats() });
    }

    const config = (consumers: Partial<ConsumerThresholdConfig> = {}, defaults: Record<string, string> = {}) =>
      consumersConfig(c, consumers, defaults);

    it("a healthy busy cluster gives no consumer finding, each consumer judged from its own leader, in one request", async () => {
      const history = newHistory();
      for (let i = 0; i < 3; i++) {
        const r = await run(config(), history);
        expect(r.findings).toEqual([]);
        expect(r.requests.requests).toBe(1);
      }
      const s = await collect();
      expect(s.consumers.map((v) => `${v.stream}/${v.name}`)).toEqual([
        "EVENTS/AUDIT",
        "ORDERS/WORKER",
        "ORDERS/WORKER_R1",
      ]);
      expect(s.consumers.every((v) => v.status === "led" && v.reportedBy === v.leader)).toBe(true);
      const worker = s.consumers.find((v) => v.name === "WORKER")!;
      expect(worker.replicas).toBe(3);
      expect(worker.peers).toHaveLength(2);
      expect(s.consumers.find((v) => v.name === "WORKER_R1")!.replicas).toBe(1);
      expect(s.consumers.every((v) => (v.streamLastSeq ?? 0) > 0)).toBe(true);
      console.log(
        `[consumers ${binary.version}] ${s.consumers.length} consumers, ${s.servers.length} servers: 1 JSZ request, ${s.stats.bytesReceived} B gzip / ${s.stats.bytesDecoded} B json`,
      );
    });

    it("a pull consumer nobody pulls while a publisher runs is stuck after the configured threshold", async () => {
      await jsm.consumers.add("ORDERS", { durable_name: "IDLE", ack_policy: AckPolicy.Explicit });
      const history = newHistory();
      const cfg = config({}, { "stuck-after": "2s" });
      const first = await run(cfg, history);
      expect(about(first, "IDLE")).toEqual([]);
      await sleep(2500);
      const second = await run(cfg, history);
      expect(about(second, "IDLE")).toEqual(["consumer_stuck"]);
      const f = second.findings.find((x) => x.id === "consumer_stuck")!;
      expect(Number(f.values.pending)).toBeGreaterThan(0);
      expect(Number(f.values.stuck_ms)).toBeGreaterThan(2000);
      // The workers keep up: nothing about them.
      expect(second.findings.filter((x) => x.subject.consumer !== "IDLE")).toEqual([]);
      await jsm.consumers.delete("ORDERS", "IDLE");
    });

    it("a client that fetches and never acknowledges: ack pending at 80% and at its limit, then wedged", async () => {
      await jsm.consumers.add("ORDERS", {
        durable_name: "WEDGE",
        ack_policy: AckPolicy.Explicit,
        max_ack_pending: 10,
        ack_wait: 120_000_000_000,
      });
      const consumer = await jetstream(app).consumers.get("ORDERS", "WEDGE");
      let got = 0;
      const batch = await consumer.fetch({ max_messages: 10, expires: 2000 });
      for await (const _m of batch) got++; // received, never acknowledged
      expect(got).toBe(10);
      const history = newHistory();
      const cfg = config({}, { "wedged-after": "2s" });
      const first = await run(cfg, history);
      expect(about(first, "WEDGE")).toEqual(["consumer_ack_pending_high"]);
      await sleep(2500);
      const second = await run(cfg, history);
      expect(about(second, "WEDGE")).toEqual(["consumer_ack_pending_high", "consumer_wedged"]);
      expect(second.findings.find((x) => x.id === "consumer_ack_pending_high")!.values).toMatchObject({
        ack_pending: 10,
        max_ack_pending: 10,
      });
      await jsm.consumers.delete("ORDERS", "WEDGE");
    });

    it("a consumer nobody drains while the publisher runs: backlog growing run after run, with the rates", async () => {
      await jsm.consumers.add("ORDERS", {
        durable_name: "LAGGARD",
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
      });
      const history = newHistory();
      const cfg = config({ backlogRuns: 2, backlogFactor: 2 });
      let last: RunReport | undefined;
      // Two growths need three runs; a first run that saw nothing pending yet starts the series one run
      // later. The publisher's rate is steady, so the backlog grows with the time since the consumer
      // began: runs spaced 1, 2, 4, 8 s apart keep each window's growth above the factor of 2 even
      // when a loaded machine delays a run (equal spacing reaches 2x only in the first windows).
      for (let i = 0; i < 5; i++) {
        if (i) await sleep(1000 * 2 ** (i - 1));
        last = await run(cfg, history);
        if (i < 2) expect(about(last, "LAGGARD")).toEqual([]);
        else if (about(last, "LAGGARD").length) break;
      }
      expect(about(last!, "LAGGARD")).toEqual(["consumer_backlog_growing"]);
      const f = last!.findings.find((x) => x.subject.consumer === "LAGGARD")!;
      expect(Number(f.values.pending_end)).toBeGreaterThan(2 * Number(f.values.pending_start));
      expect(Number(f.values.in_per_s)).toBeGreaterThan(0);
      expect(f.values.out_per_s).toBe(0);
      expect(f.summary).toContain("never catches up");
      await jsm.consumers.delete("ORDERS", "LAGGARD");
    });

    it("messages removed by limits before a consumer got them is CONSUMER_004; a purge moves the consumer along", async () => {
      await addStream(app, { name: "LIMITED", subjects: ["lim.>"], num_replicas: 1, max_msgs: 5 });
      await jsm.consumers.add("LIMITED", { durable_name: "SLOW", ack_policy: AckPolicy.Explicit });
      await addStream(app, { name: "PURGED", subjects: ["pur.>"], num_replicas: 3 });
      await jsm.consumers.add("PURGED", { durable_name: "BEHIND", ack_policy: AckPolicy.Explicit });
      for (let i = 0; i < 20; i++) await publishTo(app, `lim.${i}`);
      for (let i = 0; i < 20; i++) await publishTo(app, `pur.${i}`);
      await jsm.streams.purge("PURGED");
      // The purge reaches the consumer leader's replica of the stream in its own time (2.9.10 was seen behind).
      const s = await waitFor("the purge seen from BEHIND's leader", async () => {
        const x = await collect();
        return x.consumers.find((v) => v.name === "BEHIND")?.streamFirstSeq === 21 ? x : undefined;
      });
      const slow = s.consumers.find((v) => v.name === "SLOW")!;
      const behind = s.consumers.find((v) => v.name === "BEHIND")!;
      console.log(
        `[consumers ${binary.version}] limits: delivered ${slow.delivered.streamSeq}, stream ${slow.streamFirstSeq}..${slow.streamLastSeq}; purge: delivered ${behind.delivered.streamSeq}, stream ${behind.streamFirstSeq}..${behind.streamLastSeq}, pending ${behind.numPending}`,
      );
      const r = await run(config());
      expect(about(r, "SLOW")).toEqual(["consumer_behind_stream"]);
      expect(r.findings.find((f) => f.subject.consumer === "SLOW")!.values).toMatchObject({
        delivered_stream_seq: 0,
        stream_first_seq: 16,
        skipped: 15,
      });
      // The server moves a consumer's position to the purge point: nothing undelivered is left behind.
      expect(behind.delivered.streamSeq).toBe(20);
      expect(about(r, "BEHIND")).toEqual([]);
      await jsm.streams.delete("LIMITED");
      await jsm.streams.delete("PURGED");
    });

    it.runIf(binary.hasMetadata)(
      "the NATS tools' consumer metadata keys fire as they say (>=, <= 0 disables), a bad value is a warning",
      async () => {
        await jsm.consumers.add("ORDERS", {
          durable_name: "META",
          ack_policy: AckPolicy.Explicit,
          metadata: {
            "io.nats.monitor.unprocessed-critical": "1",
            "io.nats.monitor.pinned": "true",
            "io.nats.monitor.waiting-critical": "0",
            "io.nats.monitor.last-delivery-critical": "1s",
            "io.nats.monitor.redelivery-critical": "ten",
          },
        });
        await publishTo(app, "orders.meta");
        const r = await run(config());
        expect(about(r, "META")).toEqual([
          "consumer_last_delivery",
          "consumer_pinned",
          "consumer_threshold_invalid",
          "consumer_unprocessed",
        ]);
        expect(r.findings.find((f) => f.id === "consumer_unprocessed")!.code).toBe("CONSUMER_008");
        expect(r.findings.find((f) => f.id === "consumer_threshold_invalid")!.summary).toContain("redelivery-critical");
        await jsm.consumers.delete("ORDERS", "META");
      },
    );

    it.runIf(versionAtLeast(binary.version, "2.11.0"))(
      "a paused consumer with messages pending does not fire",
      async () => {
        await jsm.consumers.add("ORDERS", { durable_name: "PAUSED", ack_policy: AckPolicy.Explicit });
        await jsm.consumers.pause("ORDERS", "PAUSED", new Date(Date.now() + 3_600_000));
        const history = newHistory();
        const cfg = config({}, { "stuck-after": "1s", "wedged-after": "1s" });
        await run(cfg, history);
        await sleep(1500);
        const r = await run(cfg, history);
        const s = await collect();
        const v = s.consumers.find((x) => x.name === "PAUSED")!;
        expect(v.paused).toBe(true);
        expect(v.numPending).toBeGreaterThan(0);
        expect(about(r, "PAUSED")).toEqual([]);
        await jsm.consumers.delete("ORDERS", "PAUSED");
      },
    );

    it("ephemeral consumers churning for a hundred runs, within and across runs: no finding, history bounded", async () => {
      await addStream(app, { name: "CHURN", subjects: ["churn.>"], num_replicas: 3 });
      for (let i = 0; i < 5; i++) await publishTo(app, `churn.${i}`);
      // Were an ephemeral judged, one run would be enough to page: messages pending, nothing delivered.
      const tripwire = {
        stream: "CHURN",
        values: { "unprocessed-critical": "1", "last-delivery-critical": "1ms", "stuck-after": "1ms" },
      };
      const durables = (await collect()).consumers
        .filter((v) => v.durable)
        .map(consumerKey)
        .sort();
      // A client's ordered consumer reads the stream through every run.
      const ordered = await (await jetstream(app).consumers.get("CHURN")).consume();
      const reading = (async () => {
        for await (const _m of ordered) {
          // ordered consumers need no acknowledgement
        }
      })().catch(() => undefined);
      const history = newHistory();
      const cfg = config({ overrides: [tripwire] });
      const seen = new Set<string>();
      const alive: { name: string; until: number }[] = [];
      const sizes: number[] = [];
      const started = Date.now();
      // Lifetimes in runs: 0 = created and deleted between two runs.
      const LIFETIMES = [0, 1, 3, 8];
      for (let i = 0; i < 100; i++) {
        const life = LIFETIMES[i % LIFETIMES.length]!;
        const e = await jsm.consumers.add("CHURN", {
          ack_policy: AckPolicy.Explicit,
          inactive_threshold: 60 * SECOND_NS,
        });
        seen.add(e.name);
        if (life === 0) await jsm.consumers.delete("CHURN", e.name);
        else alive.push({ name: e.name, until: i + life });
        // Now and then a named one (ephemeral all the same), left to live through every later run.
        if (i % 10 === 5) {
          const name = `named-${i}`;
          await jsm.consumers.add("CHURN", {
            name,
            ack_policy: AckPolicy.Explicit,
            inactive_threshold: 60 * SECOND_NS,
          });
          seen.add(name);
          alive.push({ name, until: Infinity });
        }
        const r = await run(cfg, history);
        expect(r.findings).toEqual([]);
        // The run saw every ephemeral still alive: they were there to be judged, and were not.
        const reported = r.perf.find((p) => p.name === "consumers_judged")!.value;
        expect(reported).toBeGreaterThanOrEqual(durables.length + alive.length);
        const saved = await history.load<ConsumersObservation>({ cluster: "hub", slice: "consumers" });
        expect(Object.keys(saved!.doc.observations!.marks).sort()).toEqual(durables);
        sizes.push(r.history.saves.at(-1)!.bytes);
        for (const a of alive.filter((x) => x.until <= i + 1)) {
          await jsm.consumers.delete("CHURN", a.name);
          alive.splice(alive.indexOf(a), 1);
        }
      }
      const document = JSON.stringify((await history.load({ cluster: "hub", slice: "consumers" }))!.doc);
      expect([...seen].filter((name) => document.includes(name))).toEqual([]);
      // Bounded: the last runs' documents are no larger than the first runs', but for the durables' own
      // marks moving (a digit more, a pending series while a worker is between fetches).
      expect(Math.max(...sizes.slice(-10))).toBeLessThanOrEqual(1.5 * Math.max(...sizes.slice(0, 10)));
      console.log(
        `[consumers ${binary.version}] ${seen.size} ephemerals over 100 runs in ${Date.now() - started} ms; history ${Math.min(...sizes)}..${Math.max(...sizes)} B`,
      );

      // Opted in, they are judged: the tripwire fires for an ephemeral nobody pulls.
      const e = await jsm.consumers.add("CHURN", {
        ack_policy: AckPolicy.Explicit,
        inactive_threshold: 60 * SECOND_NS,
      });
      const r = await run(config({ includeEphemeral: true, overrides: [tripwire] }));
      expect(about(r, e.name)).toEqual(["consumer_last_delivery", "consumer_unprocessed"]);
      await ordered.close();
      await reading;
      await jsm.streams.delete("CHURN");
    });

    it("account mode with APP credentials: the same consumers from their leaders, one listing per stream", async () => {
      const cfg = config();
      cfg.mode = "account";
      cfg.nats = { ...cfg.nats, user: "app", password: "app-secret" };
      const system = await collect();
      const healthy = await run(cfg);
      expect(healthy.findings).toEqual([]);
      // $SYS.REQ.USER.INFO (asked on 2.9 too), one STREAM.LIST page, one CONSUMER.LIST per stream.
      expect(healthy.requests.requests).toBe(2 + 2);
      expect(healthy.perf.find((p) => p.name === "consumers_judged")!.value).toBe(system.consumers.length);
      // The listing carries each consumer's leader's view: its followers heard from, not `active: 0`.
      // A follower's own entry would always say `active: 0`; the leader's may too for a heartbeat heard
      // within the same millisecond, so a few listings are asked for before the claim is judged.
      const heard = (v: ConsumerView) => v.peers.every((p) => p.current && p.activeMs > 0);
      const listWorker = async () =>
        (await collectConsumersAccount(app, { timeoutMs: 1500, stats: newRequestStats() })).consumers.find(
          (v) => v.name === "WORKER",
        )!;
      let worker = await listWorker();
      for (let i = 0; i < 5 && !heard(worker); i++) {
        await sleep(300);
        worker = await listWorker();
      }
      expect(worker.peers).toHaveLength(2);
      if (versionAtLeast(binary.version, "2.10.0")) expect(heard(worker)).toBe(true);
      await jsm.consumers.add("EVENTS", {
        durable_name: "HOARD",
        ack_policy: AckPolicy.Explicit,
        max_ack_pending: 2,
        ack_wait: 120_000_000_000,
      });
      const batch = await (
        await jetstream(app).consumers.get("EVENTS", "HOARD")
      ).fetch({ max_messages: 2, expires: 2000 });
      for await (const _m of batch) {
        // received, never acknowledged
      }
      const r = await run(cfg);
      expect(r.findings.map((f) => [f.id, f.subject.stream, f.subject.consumer])).toEqual([
        ["consumer_ack_pending_high", "EVENTS", "HOARD"],
      ]);
      expect(r.findings[0]!.subject.account).toBe(versionAtLeast(binary.version, "2.10.0") ? "APP" : "(this account)");
      await jsm.consumers.delete("EVENTS", "HOARD");
    });

    it("a frozen consumer follower: peer seen, then offline with peer seen still open, both resolve after restart", async () => {
      const meta = await c.waitForMetaLeader();
      const s = await collect();
      const worker = s.consumers.find((v) => v.name === "WORKER")!;
      const victim = worker.peers.map((p) => p.name).find((n) => n !== meta && n !== worker.leader);
      if (!victim)
        throw new Error(
          `no follower of WORKER off the meta leader ${meta} (leader ${worker.leader}, peers ${worker.peers.map((p) => p.name).join(", ")})`,
        );
      const history = newHistory();
      const cfg = config({}, { "peer-seen-critical": "3s" });
      const peerFindings = (r: RunReport) =>
        r.findings
          .filter((f) => f.subject.consumer === "WORKER" && f.subject.peer === victim)
          .map((f) => f.id)
          .sort();
      expect(peerFindings(await run(cfg, history))).toEqual([]);
      c.freeze(victim);
      let seen: RunReport | undefined;
      try {
        seen = await waitFor(
          "consumer peer seen",
          async () => {
            const r = await run(cfg, history);
            return peerFindings(r).includes("consumer_peer_seen") ? r : undefined;
          },
          60_000,
          1000,
        );
      } finally {
        c.thaw(victim);
      }
      expect(peerFindings(seen)).toEqual(["consumer_peer_seen"]);
      await c.stopServer(victim);
      const offline = await waitFor(
        "consumer replica offline",
        async () => {
          const r = await run(cfg, history);
          return peerFindings(r).includes("consumer_replica_offline") ? r : undefined;
        },
        60_000,
        1000,
      );
      expect(peerFindings(offline)).toEqual(["consumer_peer_seen", "consumer_replica_offline"]);
      expect(
        offline.findings.find((f) => f.id === "consumer_peer_seen" && f.subject.consumer === "WORKER")!.values.offline,
      ).toBe(true);
      expect(offline.resolved.filter((a) => a.finding.subject.consumer === "WORKER")).toEqual([]);
      await c.restart(victim);
      const resolved = new Set<string>();
      await waitFor(
        "both alerts resolved",
        async () => {
          const r = await run(cfg, history);
          for (const a of r.resolved) if (a.finding.subject.consumer === "WORKER") resolved.add(a.finding.id);
          return resolved.has("consumer_peer_seen") && resolved.has("consumer_replica_offline") ? true : undefined;
        },
        90_000,
        1000,
      );
    });

    it("2 of 3 consumer peers down: the survivor's view, without a leader, is quorum lost naming the holder", async () => {
      const survivor = c.servers[0]!.name;
      const history = newHistory();
      const cfg = config();
      cfg.nats.servers = [c.url(0)];
      working = false;
      await c.stopServer(1);
      await c.stopServer(2);
      // Every run names WORKER: in a finding of its own, or as not judged (its old leader silent) in
      // monitor_partial. It is never left out, and its alert is never cleared meanwhile.
      const named = (x: RunReport) =>
        x.findings.some((f) => f.subject.consumer === "WORKER") ||
        x.findings.some((f) => f.id === "monitor_partial" && f.summary.includes("APP > ORDERS > WORKER"));
      const quorumLost = (x: RunReport) =>
        x.findings.find((f) => f.id === "consumer_quorum_lost" && f.subject.consumer === "WORKER");
      const runs: RunReport[] = [];
      try {
        const r = await waitFor(
          "WORKER without quorum and without a leader",
          async () => {
            const x = await run(cfg, history);
            runs.push(x);
            return quorumLost(x)?.values.leader === null ? x : undefined;
          },
          90_000,
          1000,
        );
        const form = (x: RunReport) =>
          quorumLost(x)
            ? quorumLost(x)!.values.leader === null
              ? "leaderless"
              : "led, quorum lost"
            : x.findings.some((f) => f.subject.consumer === "WORKER")
              ? "other finding"
              : "not judged";
        console.log(`[consumers ${binary.version}] WORKER run by run after 2 of 3 down: ${runs.map(form).join(", ")}`);
        expect(runs.filter((x) => !named(x))).toEqual([]);
        expect(runs.flatMap((x) => x.resolved).filter((a) => a.finding.subject.consumer === "WORKER")).toEqual([]);
        const q = quorumLost(r)!;
        expect(q.code).toBe("CONSUMER_003");
        expect(q.summary).toContain(`has no leader (R3, held by ${survivor})`);
        expect(r.perf.find((p) => p.name === "consumers_leaderless")!.value).toBeGreaterThanOrEqual(1);
        expect(r.findings.some((f) => f.id === "monitor_partial")).toBe(true);
      } finally {
        await c.restart(1);
        await c.restart(2);
      }
    });
  });
}
