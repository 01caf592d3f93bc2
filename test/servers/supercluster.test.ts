// Every slice on a supercluster: two clusters of three servers joined by gateways (one meta group of
// six) and a leaf server in its own JetStream domain over the system account. The gateways run
// through relays a test cuts (CLUSTER_007; JETSTREAM_018 for a mirror across them); the leaf server
// is stopped to lose its link. What SNS delivers for a cut gateway is read back through SQS: the
// `cluster` attribute is the monitored supercluster's label, `server_cluster` the cluster of the server.
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import type { RunReport } from "../../lib/run/run-slice.ts";
import { metaSlice } from "../../lib/slices/meta.ts";
import { serversSlice } from "../../lib/slices/servers.ts";
import { streamsSlice } from "../../lib/slices/streams.ts";
import { SYS_USER, waitFor } from "../../lib/testbed/cluster.ts";
import { MotoServer } from "../../lib/testbed/moto.ts";
import { SnsNotifier } from "../../lib/notify/sns.ts";
import { newestServer } from "../../lib/testbed/servers.ts";
import { Supercluster } from "../../lib/testbed/supercluster.ts";
import { addStream, publishTo } from "../streams/topology.ts";
import { runOnce } from "../harness/run.ts";
import { clientConfig, createQueue, createTopic, drain, subscribeQueue } from "../notify/aws.ts";
import { LOADED_MACHINE } from "./loaded.ts";

describe(`a supercluster of 2 x 3 servers and a leaf domain, nats-server ${newestServer().version}`, () => {
  let sc: Supercluster;
  let moto: MotoServer;
  beforeAll(async () => {
    [sc, moto] = await Promise.all([Supercluster.start({ binary: newestServer(), leaf: true }), MotoServer.start()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([sc?.stop(), moto?.stop()]);
  });
  const config = (label?: string) =>
    buildConfig(
      {
        ...(label ? { cluster: label } : {}),
        nats: { servers: sc.clusters[0].runningUrls(), user: SYS_USER.user, password: SYS_USER.password },
        timeouts: { request: "3s", connect: "2s" },
        thresholds: { servers: LOADED_MACHINE },
      },
      {},
    );
  const newHistory = () => new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-sc-")));
  const [a, b] = [() => sc.clusters[0], () => sc.clusters[1]];

  it("the meta slice sees one group of six, quorum four, and no finding", async () => {
    const r = await runOnce(metaSlice, { config: config(), history: newHistory() });
    expect(r.findings.map((f) => f.summary)).toEqual([]);
    const online = r.perf.find((p) => p.name === "meta_peers_online")!;
    expect([online.value, online.max, online.critical]).toEqual([6, 6, "4:"]);
  });

  it("the streams slice judges streams placed in each cluster in one run", async () => {
    const nc = await a().appConnection();
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({
      name: "IN_A",
      subjects: ["ina.>"],
      num_replicas: 3,
      placement: { cluster: a().name, tags: [] },
    });
    await jsm.streams.add({
      name: "IN_B",
      subjects: ["inb.>"],
      num_replicas: 3,
      placement: { cluster: b().name, tags: [] },
    });
    await nc.close();
    const r = await waitFor(
      "both streams judged",
      async () => {
        const x = await runOnce(streamsSlice, { config: config(), history: newHistory() });
        return x.perf.find((p) => p.name === "streams_judged")?.value === 2 ? x : undefined;
      },
      30_000,
      1000,
    );
    expect(r.findings.map((f) => f.summary)).toEqual([]);
  });

  it("the servers slice: silent while healthy; each cut gateway is CLUSTER_007 under its server's own cluster", async () => {
    const history = newHistory();
    // SNS subscribers: one filters as the README says (the label, then one cluster of it); one on a
    // member cluster's name as `cluster`, which the label must not let through.
    const sns = new SNSClient(clientConfig(moto.env));
    const sqs = new SQSClient(clientConfig(moto.env));
    const topicArn = await createTopic(sns, "sc-alerts");
    const eastTeam = await createQueue(sqs, "sc-east-team");
    const byMember = await createQueue(sqs, "sc-by-member");
    await subscribeQueue(sns, topicArn, eastTeam.arn, { cluster: ["prod"], server_cluster: [a().name] });
    await subscribeQueue(sns, topicArn, byMember.arn, { cluster: [a().name] });
    // The label is the history's name too: every run of this test uses it.
    const notifiers = [new SnsNotifier({ topicArn, clientConfig: clientConfig(moto.env) })];
    // Two clusters of three make a meta group of six: even, which META_007 names from the second
    // run on (one run's count is not trusted); nothing else is wrong.
    const even = (r: RunReport) =>
      r.findings.filter((f) => f.id === "meta_even_size").map((f) => [f.code, f.values.cluster_size]);
    for (let i = 0; i < 2; i++) {
      const r = await runOnce(serversSlice, { config: config("prod"), history });
      expect(r.findings.filter((f) => f.id !== "meta_even_size").map((f) => f.summary)).toEqual([]);
      expect(even(r)).toEqual(i === 0 ? [] : [["META_007", 6]]);
      expect(r.perf.find((p) => p.name === "servers_answered")?.value).toBe(7);
    }
    sc.cutGateways();
    try {
      const r = await waitFor(
        "gateways gone",
        async () => {
          const x = await runOnce(serversSlice, { config: config("prod"), history, notifiers });
          return x.findings.filter((f) => f.id === "gateway_lost").length >= 3 ? x : undefined;
        },
        30_000,
        1000,
      );
      const lost = r.findings
        .filter((f) => f.id === "gateway_lost")
        .map((f) => [f.code, f.subject.cluster, f.subject.server, f.subject.peer])
        .sort();
      expect(lost).toEqual(
        a()
          .servers.map((s) => ["CLUSTER_007", a().name, s.name, b().name])
          .sort(),
      );
      // Cluster B is behind the cut gateways: named as not answering, not as an outage of its links.
      expect(
        r.findings
          .filter((f) => f.id === "server_not_answering")
          .map((f) => f.subject.server)
          .sort(),
      ).toEqual(
        b()
          .servers.map((s) => s.name)
          .sort(),
      );
      // One message, or a few if the cut reached the servers over several runs: each the same way.
      const lostMessages = (await drain(sqs, eastTeam.url)).filter((m) => m.attributes.check === "gateway_lost");
      expect(lostMessages.length).toBeGreaterThan(0);
      for (const m of lostMessages) {
        expect([m.attributes.cluster, m.attributes.server_cluster, m.doc.cluster, m.doc.group.server_cluster]).toEqual([
          "prod",
          a().name,
          "prod",
          a().name,
        ]);
        expect(m.envelope.Subject).toContain(`(prod/${a().name})`);
      }
      expect(lostMessages.flatMap((m) => m.doc.notices.map((n) => n.subject.server)).sort()).toEqual(
        a()
          .servers.map((s) => s.name)
          .sort(),
      );
      expect(await drain(sqs, byMember.url)).toEqual([]);
    } finally {
      sc.restoreGateways();
      sns.destroy();
      sqs.destroy();
    }
    const healed = await waitFor(
      "gateways back",
      async () => {
        const x = await runOnce(serversSlice, { config: config("prod"), history });
        return x.findings.filter((f) => f.id !== "meta_even_size").length === 0 ? x : undefined;
      },
      60_000,
      1000,
    );
    expect(healed.status).toBe("warning");
    await sc.waitForMetaLeader();
  });

  it("a mirror across a cut gateway: JETSTREAM_018 seen from its cluster, resolved once restored", async () => {
    const nc = await a().appConnection();
    try {
      const inA = { cluster: a().name, tags: [] };
      await addStream(nc, { name: "ORIGIN", subjects: ["origin.>"], num_replicas: 3, placement: inA });
      const inB = { cluster: b().name, tags: [] };
      await addStream(nc, { name: "COPY", mirror: { name: "ORIGIN" }, num_replicas: 3, placement: inB });
      await publishTo(nc, "origin.x");
    } finally {
      await nc.close();
    }
    // Connected to the mirror's cluster, which is all the monitor sees while the gateways are cut.
    const atB = buildConfig(
      {
        cluster: "sc",
        nats: { servers: b().runningUrls(), user: SYS_USER.user, password: SYS_USER.password },
        timeouts: { request: "3s", connect: "2s" },
        thresholds: { streams: { overrides: [{ stream: "COPY", values: { "seen-critical": "3s" } }] } },
      },
      {},
    );
    const fromB = await b().appConnection();
    try {
      const jsm = await jetstreamManager(fromB);
      await waitFor("the mirror to copy the message", async () =>
        (await jsm.streams.info("COPY")).state.messages === 1 ? true : undefined,
      );
    } finally {
      await fromB.close();
    }
    const history = newHistory();
    const run = () => runOnce(streamsSlice, { config: atB, history });
    const seen = (r: RunReport) => r.findings.filter((f) => f.id === "mirror_seen");
    await waitFor(
      "the mirror judged and heard from",
      async () => {
        const r = await run();
        const judged = r.perf.find((p) => p.name === "streams_judged")?.value ?? 0;
        return judged >= 2 && seen(r).length === 0 ? r : undefined;
      },
      30_000,
      1000,
    );
    sc.cutGateways();
    try {
      const r = await waitFor(
        "JETSTREAM_018",
        async () => ((x) => (seen(x).length ? x : undefined))(await run()),
        60_000,
        1000,
      );
      expect(seen(r).map((f) => [f.code, f.severity, f.subject.stream, f.subject.source])).toEqual([
        ["JETSTREAM_018", "critical", "COPY", "ORIGIN"],
      ]);
      expect(Number(seen(r)[0]!.values.active_ms)).toBeGreaterThan(3000);
    } finally {
      sc.restoreGateways();
    }
    const healed = await waitFor(
      "JETSTREAM_018 resolved",
      async () => {
        const x = await run();
        return x.resolved.some((a) => a.finding.id === "mirror_seen") ? x : undefined;
      },
      90_000,
      1000,
    );
    expect(seen(healed)).toEqual([]);
    await sc.waitForMetaLeader();
  });

  it("a cut leaf remote (APP account) is named by both ends while the leaf still answers", async () => {
    const history = newHistory();
    const hub = a().servers[1]!.name;
    const leaf = sc.leaf!.servers[0]!.name;
    const other = (r: RunReport) => r.findings.filter((f) => f.id !== "meta_even_size");
    expect(other(await runOnce(serversSlice, { config: config(), history }))).toEqual([]);
    sc.leafProxy!.cut();
    try {
      const r = await waitFor(
        "the APP leaf link gone",
        async () => {
          const x = await runOnce(serversSlice, { config: config(), history });
          return other(x).length >= 2 ? x : undefined;
        },
        30_000,
        1000,
      );
      // Both ends report the link: the hub its accepted leaf, the leaf its remote.
      const lost = other(r).map((f) => [f.id, f.subject.server, f.subject.peer, f.subject.account]);
      expect(lost.sort()).toEqual([
        ["leaf_lost", leaf, hub, "APP"],
        ["leaf_lost", hub, leaf, "APP"],
      ]);
    } finally {
      sc.leafProxy!.restore();
    }
    await waitFor(
      "the APP leaf link back",
      async () => {
        const x = await runOnce(serversSlice, { config: config(), history });
        return other(x).length === 0 ? x : undefined;
      },
      30_000,
      1000,
    );
  });

  it("a leaf server that stops: its hub names the lost leaf link, and the leaf as not answering", async () => {
    const history = newHistory();
    const hub = a().servers[1]!.name;
    const leaf = sc.leaf!.servers[0]!.name;
    const other = (r: RunReport) => r.findings.filter((f) => f.id !== "meta_even_size");
    expect(other(await runOnce(serversSlice, { config: config(), history }))).toEqual([]);
    await sc.leaf!.stopServer(0);
    const r = await runOnce(serversSlice, { config: config(), history });
    expect(
      other(r)
        .map((f) => [f.id, f.subject.server, f.subject.peer, f.subject.account])
        .sort(),
    ).toEqual([
      ["leaf_lost", hub, leaf, "APP"],
      ["leaf_lost", hub, leaf, "SYS"],
      ["server_not_answering", leaf, undefined, undefined],
    ]);
  });
});
