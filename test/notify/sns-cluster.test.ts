// The SNS notifier end to end: a real 3-node cluster goes wrong, the monitor runs, and what SNS
// (moto_server) delivered is read back from SQS queues subscribed with filter policies, and from
// an HTTP subscriber that receives the text people read (the `default` body, as email does).
import { createServer, type Server } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsCluster, SYS_USER, freePort, waitFor } from "../../lib/testbed/cluster.ts";
import { MotoServer } from "../../lib/testbed/moto.ts";
import { newestServer } from "../../lib/testbed/servers.ts";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { SnsNotifier } from "../../lib/notify/sns.ts";
import { SharedConnection } from "../../lib/run/connection.ts";
import { runSlice, type RunReport } from "../../lib/run/run-slice.ts";
import { metaSlice } from "../../lib/slices/meta.ts";
import type { Slice, SnapshotBase } from "../../lib/slices/slice.ts";
import { checkDefinition, finding } from "../../lib/checks/catalog.ts";
import type { Finding } from "../../lib/findings/finding.ts";
import { MULTIPLE } from "../../lib/notify/messages.ts";
import { clientConfig, createQueue, createTopic, drain, subscribeQueue, type Delivered } from "./aws.ts";

/** What an HTTP(S) subscriber receives: SNS's envelope around the `default` text. */
interface HttpNotification {
  Type: string;
  MessageId: string;
  Subject?: string;
  Message: string;
}

/** A test slice whose findings the test sets: stands in for the streams slice being built alongside. */
function scriptedSlice(cluster: string, findings: () => Finding[]): Slice<SnapshotBase, null> {
  return {
    name: "streams",
    collect: async (_nc, ctx) => ({ collectedAt: ctx.now(), cluster, stats: ctx.stats }),
    blind: (reason, ctx) => ({ collectedAt: ctx.now(), cluster, blind: reason, stats: ctx.stats }),
    judge: () => ({ findings: findings(), observation: null, covers: () => true }),
  };
}

describe("SNS alerts from a real cluster, through real SNS and SQS on loopback", () => {
  let cluster: NatsCluster;
  let moto: MotoServer;
  let sns: SNSClient;
  let sqs: SQSClient;
  let topicArn: string;
  let pager: { url: string; arn: string };
  let everything: { url: string; arn: string };
  let inboxServer: Server;
  let inboxUrl: string;
  const inbox: HttpNotification[] = [];

  async function subscribeAll(): Promise<void> {
    await subscribeQueue(sns, topicArn, pager.arn, { severity: ["critical"] });
    await subscribeQueue(sns, topicArn, everything.arn);
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "http", Endpoint: inboxUrl }));
  }

  beforeAll(async () => {
    [cluster, moto] = await Promise.all([NatsCluster.start({ binary: newestServer() }), MotoServer.start()]);
    sns = new SNSClient(clientConfig(moto.env));
    sqs = new SQSClient(clientConfig(moto.env));
    const port = await freePort();
    inboxServer = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        inbox.push(JSON.parse(body) as HttpNotification);
        res.end("ok");
      });
    });
    await new Promise<void>((r) => inboxServer.listen(port, "127.0.0.1", () => r()));
    inboxUrl = `http://127.0.0.1:${port}/sns`;
    topicArn = await createTopic(sns, "lookout-alerts");
    pager = await createQueue(sqs, "pager");
    everything = await createQueue(sqs, "everything");
    await subscribeAll();
  });
  afterAll(async () => {
    sns?.destroy();
    sqs?.destroy();
    await new Promise<void>((r) => (inboxServer ? inboxServer.close(() => r()) : r()));
    await Promise.all([cluster?.stop(), moto?.stop()]);
  });

  const notifier = () => new SnsNotifier({ topicArn, clientConfig: clientConfig(moto.env) });
  const takeInbox = () => inbox.splice(0, inbox.length);
  const critical = (ds: Delivered[]) => ds.filter((d) => d.attributes.severity === "critical");

  /** The pager queue gets exactly the critical messages the everything queue got. */
  function expectRouted(pagerGot: Delivered[], everythingGot: Delivered[]): void {
    expect(pagerGot.every((d) => d.attributes.severity === "critical")).toBe(true);
    expect(pagerGot.map((d) => d.envelope.MessageId).sort()).toEqual(
      critical(everythingGot)
        .map((d) => d.envelope.MessageId)
        .sort(),
    );
  }

  it("pages once for a frozen follower, sends the partial-view warning to email only, and resolves on thaw", async () => {
    const history = new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-sns-")));
    const sender = notifier();
    const reports: RunReport[] = [];
    const run = async (): Promise<RunReport> => {
      // A fixed label keeps one history while the list of reachable servers changes.
      const config = buildConfig(
        {
          cluster: cluster.name,
          nats: { servers: cluster.runningUrls(), user: SYS_USER.user, password: SYS_USER.password },
          thresholds: { meta: { peerSeenCritical: "3s" } },
          timeouts: { request: "1500ms", connect: "2s" },
        },
        {},
      );
      const conn = new SharedConnection(config.nats, config.timeouts.connectMs);
      try {
        const r = await runSlice(metaSlice, {
          config,
          history,
          notifiers: [sender],
          connection: conn.get,
          describeError: conn.describe,
        });
        reports.push(r);
        return r;
      } finally {
        await conn.close();
      }
    };
    const sentNotice = (r: RunReport, id: string, kind: string) =>
      r.notices.sent.some((n) => n.finding.id === id && n.kind === kind);

    // Fire.
    const leader = await cluster.waitForMetaLeader();
    const follower = cluster.servers.find((s) => s.name !== leader)!;
    cluster.freeze(follower.index);
    try {
      await waitFor(
        "the frozen follower's alert to be published",
        async () => {
          const r = await run();
          return reports.some((x) => sentNotice(x, "meta_peer_seen", "new")) &&
            reports.some((x) => sentNotice(x, "monitor_partial", "new"))
            ? r
            : undefined;
        },
        60_000,
        1000,
      );
    } finally {
      cluster.thaw(follower.index);
    }
    expect(reports.flatMap((r) => r.errors)).toEqual([]);

    const paged = await drain(sqs, pager.url);
    const mailed = await drain(sqs, everything.url);
    expect(paged).toHaveLength(1);
    const page = paged[0]!;
    expect(page.envelope.Subject).toBe(`[CRITICAL] Meta peer not seen: peer ${follower.name} (${cluster.name})`);
    expect(page.attributes).toEqual({
      severity: "critical",
      check: "meta_peer_seen",
      cluster: cluster.name,
      state: "new",
    });
    expect(page.doc).toMatchObject({
      schema: "nats-lookout/notice-group",
      version: 1,
      state: "new",
      cluster: cluster.name,
      slice: "meta",
    });
    expect(page.doc.group).toMatchObject({
      check: "meta_peer_seen",
      severity: "critical",
      peer: follower.name,
      total: 1,
    });
    expect(page.doc.notices).toHaveLength(1);
    expect(page.doc.notices[0]!.subject).toEqual({ cluster: cluster.name, peer: follower.name });
    expect(page.doc.notices[0]!.summary).toMatch(
      new RegExp(`last heard from ${follower.name} .* ago \\(threshold 3s\\)`),
    );
    expect(Number(page.doc.notices[0]!.values.active_ms)).toBeGreaterThan(3000);

    expectRouted(paged, mailed);
    const partial = mailed.filter((d) => d.attributes.check === "monitor_partial");
    expect(partial).toHaveLength(1);
    expect(partial[0]!.attributes).toEqual({
      severity: "warning",
      check: "monitor_partial",
      cluster: cluster.name,
      state: "new",
    });
    expect(partial[0]!.doc.notices[0]!.summary).toContain(follower.name);

    // People reading email (here: the HTTP subscriber, which gets the same `default` text) see
    // what, where, the numbers, why, what to do and the commands that confirm it.
    const texts = takeInbox();
    const text = texts.find((t) => t.MessageId === page.envelope.MessageId)!.Message;
    const def = checkDefinition("meta_peer_seen");
    expect(text.split("\n").slice(0, 2)).toEqual([
      "CRITICAL: Meta peer not seen (meta_peer_seen)",
      `Cluster ${cluster.name}, peer ${follower.name}`,
    ]);
    expect(text).toContain(`What: ${page.doc.notices[0]!.summary}`);
    expect(text).toMatch(/Numbers: active_ms=\d+, threshold_ms=3000, current=/);
    expect(text).toContain(`Why it matters:\n  ${def.why}`);
    expect(text).toContain(`What to do:\n  ${def.action}`);
    expect(text).toContain("Confirm with:\n  nats server report jetstream\n");

    // Resolve: both alerts clear after thaw (two clean runs each).
    await cluster.waitForMetaLeader();
    await waitFor(
      "both alerts to resolve",
      async () => {
        const r = await run();
        return reports.some((x) => sentNotice(x, "meta_peer_seen", "resolved")) &&
          reports.some((x) => sentNotice(x, "monitor_partial", "resolved"))
          ? r
          : undefined;
      },
      60_000,
      1000,
    );
    expect(reports.flatMap((r) => r.errors)).toEqual([]);

    const pagedAfter = await drain(sqs, pager.url);
    const mailedAfter = await drain(sqs, everything.url);
    expect(pagedAfter).toHaveLength(1);
    expect(pagedAfter[0]!.envelope.Subject).toBe(
      `[RESOLVED] Meta peer not seen: peer ${follower.name} (${cluster.name})`,
    );
    expect(pagedAfter[0]!.attributes).toEqual({
      severity: "critical",
      check: "meta_peer_seen",
      cluster: cluster.name,
      state: "resolved",
    });
    expect(pagedAfter[0]!.doc.notices[0]!.fingerprint).toBe(page.doc.notices[0]!.fingerprint);
    expect(pagedAfter[0]!.doc.notices[0]!.duration_ms).toBeGreaterThan(0);
    expectRouted(pagedAfter, mailedAfter);
    expect(mailedAfter.filter((d) => d.attributes.check === "monitor_partial").map((d) => d.attributes.state)).toEqual([
      "resolved",
    ]);
    const resolvedText = takeInbox().find((t) => t.MessageId === pagedAfter[0]!.envelope.MessageId)!.Message;
    expect(resolvedText).toMatch(/^RESOLVED: Meta peer not seen \(meta_peer_seen\)\n/);
    expect(resolvedText).toMatch(/Cleared after \S+ \(first seen /);
    await sender.close();
  });

  it("sends a storm of 500 failing streams as a handful of grouped messages, and their resolution likewise", async () => {
    const peer = `${cluster.name}-n2`;
    const storm = Array.from({ length: 500 }, (_, i) => {
      const stream = `ORDERS_${String(i).padStart(3, "0")}`;
      return finding(
        "stream_peer_seen",
        { cluster: "storm", account: "APP", stream, peer },
        `replica ${peer} of APP > ${stream} last seen 1m30s ago (threshold 1m)`,
        {
          active_ms: 90_000,
          threshold_ms: 60_000,
        },
      );
    });
    const lost = ["BILLING", "AUDIT"].map((s) =>
      finding("stream_quorum_lost", { cluster: "storm", account: "OTHER", stream: s }, `${s} has no leader`),
    );
    const bad = finding(
      "threshold_invalid",
      { cluster: "storm", account: "APP", stream: "ORDERS_007" },
      'io.nats.monitor.lag-critical: "ten" is not a count',
    );
    let current: Finding[] = [...storm, ...lost, bad];
    const slice = scriptedSlice("storm", () => current);
    const history = new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-sns-")));
    const config = buildConfig(
      { cluster: "storm", nats: { servers: cluster.runningUrls(), user: SYS_USER.user, password: SYS_USER.password } },
      {},
    );
    const conn = new SharedConnection(config.nats, config.timeouts.connectMs);
    const sender = notifier();
    const run = () =>
      runSlice(slice, { config, history, notifiers: [sender], connection: conn.get, describeError: conn.describe });
    try {
      const fired = await run();
      expect(fired.errors).toEqual([]);
      expect(fired.notices.sent).toHaveLength(503);
      expect(fired.notices.pending).toBe(0);
      const paged = await drain(sqs, pager.url);
      const mailed = await drain(sqs, everything.url);
      takeInbox();
      expectRouted(paged, mailed);
      // 500 replica alerts on one peer: a few parts of one group; the two lost quorums: one message.
      const parts = paged.filter((d) => d.attributes.check === "stream_peer_seen");
      expect(parts.length).toBeGreaterThan(1);
      expect(parts.length).toBeLessThanOrEqual(5);
      expect(paged.length).toBe(parts.length + 1);
      expect(mailed.length).toBe(paged.length + 1);
      for (const p of parts) {
        expect(p.attributes).toEqual({
          severity: "critical",
          check: "stream_peer_seen",
          cluster: "storm",
          state: "new",
          account: "APP",
          stream: MULTIPLE,
        });
        expect(p.envelope.Subject).toMatch(
          new RegExp(
            `^\\[CRITICAL\\] Stream replica not seen: 500 alerts, peer ${peer} \\(storm\\) \\[\\d/${parts.length}\\]$`,
          ),
        );
      }
      expect(parts.flatMap((p) => p.doc.notices.map((n) => n.subject.stream)).sort()).toEqual(
        storm.map((f) => f.subject.stream).sort(),
      );
      const q = paged.find((d) => d.attributes.check === "stream_quorum_lost")!;
      expect(q.attributes).toMatchObject({ account: "OTHER", stream: MULTIPLE });
      expect(q.doc.notices.map((n) => n.subject.stream)).toEqual(["AUDIT", "BILLING"]);
      expect(
        mailed.filter((d) => d.attributes.severity === "warning").map((d) => [d.attributes.check, d.attributes.stream]),
      ).toEqual([["threshold_invalid", "ORDERS_007"]]);

      // Everything clears: after two clean runs, the resolutions come grouped the same way.
      current = [];
      expect((await run()).notices.sent).toHaveLength(0);
      const cleared = await run();
      expect(cleared.errors).toEqual([]);
      expect(cleared.notices.sent.filter((n) => n.kind === "resolved")).toHaveLength(503);
      const pagedResolved = await drain(sqs, pager.url);
      await drain(sqs, everything.url);
      takeInbox();
      expect(pagedResolved.map((d) => d.attributes.state)).toEqual(pagedResolved.map(() => "resolved"));
      expect(pagedResolved.length).toBe(paged.length);
    } finally {
      await conn.close();
      await sender.close();
    }
  });

  it("keeps alerts pending when publishing fails, fails the run loudly, and sends them on the next run", async () => {
    const lost = ["PAYMENTS", "LEDGER"].map((s) =>
      finding("stream_quorum_lost", { cluster: "outage", account: "APP", stream: s }, `${s} has no leader`),
    );
    const slice = scriptedSlice("outage", () => lost);
    const history = new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-sns-")));
    const config = buildConfig(
      { cluster: "outage", nats: { servers: cluster.runningUrls(), user: SYS_USER.user, password: SYS_USER.password } },
      {},
    );
    const conn = new SharedConnection(config.nats, config.timeouts.connectMs);
    const sender = notifier();
    const run = () =>
      runSlice(slice, { config, history, notifiers: [sender], connection: conn.get, describeError: conn.describe });
    try {
      await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
      const failed = await run();
      expect(failed.errors).toHaveLength(1);
      expect(failed.errors[0]).toMatch(
        /^2 notice\(s\) not delivered, kept for the next run: sns:arn:aws:sns:.*NotFound/,
      );
      expect(failed.notices).toMatchObject({ sent: [], pending: 2, failed: 2 });
      const stored = await history.load({ cluster: "outage", slice: "streams" });
      expect(stored!.doc.book.outbox.map((n) => [n.kind, n.attempts, n.claimedBy])).toEqual([
        ["new", 1, undefined],
        ["new", 1, undefined],
      ]);

      // The topic is back (same ARN): the next run sends what waited.
      await createTopic(sns, "lookout-alerts");
      await subscribeAll();
      const next = await run();
      expect(next.errors).toEqual([]);
      expect(next.notices.sent.map((n) => n.finding.subject.stream).sort()).toEqual(["LEDGER", "PAYMENTS"]);
      expect(next.notices.pending).toBe(0);
      const paged = await drain(sqs, pager.url);
      expect(paged).toHaveLength(1);
      expect(paged[0]!.doc.notices.map((n) => n.subject.stream)).toEqual(["LEDGER", "PAYMENTS"]);
      expect(
        paged[0]!.doc.notices.every(
          (n) => n.first_seen === new Date(stored!.doc.book.outbox[0]!.firstSeen).toISOString(),
        ),
      ).toBe(true);
      await drain(sqs, everything.url);
      takeInbox();
    } finally {
      await conn.close();
      await sender.close();
    }
  });
});
