// One SNS message per group part: what each protocol receives, the subject, the attributes, the size.
import { describe, expect, it } from "vitest";
import { checkDefinition, finding } from "../../lib/checks/catalog.ts";
import { MAX_SUMMARY_CHARS, NOTICE_GROUP_SCHEMA_VERSION, type NoticeGroupDocument } from "../../lib/notify/document.ts";
import { groupNotices, type GroupPart } from "../../lib/notify/grouping.ts";
import {
  MAX_SMS_CHARS,
  MAX_SUBJECT_CHARS,
  MULTIPLE,
  publishBytes,
  renderMessage,
  type ProtocolBodies,
} from "../../lib/notify/messages.ts";
import type { Notice } from "../../lib/alerts/alert.ts";
import { CTX, T0, notice, noticeOf, replicaStorm } from "./notices.ts";

const META_CTX = { ...CTX, slice: "meta" as const };
const peerSeen = () =>
  notice(
    "meta_peer_seen",
    { cluster: "c1", peer: "c1-n2" },
    "meta leader c1-n1 last heard from c1-n2 5.1s ago (threshold 3s)",
    {
      active_ms: 5100,
      threshold_ms: 3000,
      current: false,
    },
  );

function whole(notices: Notice[]): GroupPart {
  const groups = groupNotices(notices, "c1");
  expect(groups).toHaveLength(1);
  return { group: groups[0]!, notices: groups[0]!.notices, part: 1, parts: 1 };
}
function render(p: GroupPart, listLimit = 20) {
  const m = renderMessage(p, p.group.check.startsWith("meta") ? META_CTX : CTX, { listLimit });
  const bodies = JSON.parse(m.message) as ProtocolBodies;
  return { m, bodies, doc: JSON.parse(bodies.sqs) as NoticeGroupDocument };
}

describe("renderMessage: one new alert", () => {
  const { m, bodies, doc } = render(whole([peerSeen()]));
  const def = checkDefinition("meta_peer_seen");

  it("has a subject naming severity, check, where and cluster", () => {
    expect(m.subject).toBe("[CRITICAL] Meta peer not seen: peer c1-n2 (c1)");
  });

  it("gives email and default the same readable text: what, where, numbers, why, what to do, commands", () => {
    expect(bodies.email).toBe(bodies.default);
    const t = bodies.default;
    expect(t.split("\n").slice(0, 2)).toEqual([
      "CRITICAL: Meta peer not seen (meta_peer_seen)",
      "Cluster c1, peer c1-n2",
    ]);
    expect(t).toContain("What: meta leader c1-n1 last heard from c1-n2 5.1s ago (threshold 3s)");
    expect(t).toContain("Numbers: active_ms=5100, threshold_ms=3000, current=false");
    expect(t).toContain(`First seen ${new Date(T0).toISOString()}`);
    expect(t).toContain(`Why it matters:\n  ${def.why}`);
    expect(t).toContain(`What to do:\n  ${def.action}`);
    expect(t).toContain(`Confirm with:\n${def.commands.map((c) => `  ${c}`).join("\n")}`);
    expect(t).toContain("alert meta_peer_seen|cluster=c1|peer=c1-n2");
  });

  it("gives SMS one short ASCII line", () => {
    expect(bodies.sms).toBe(
      "CRITICAL Meta peer not seen: peer c1-n2 (c1) - meta leader c1-n1 last heard from c1-n2 5.1s ago (threshold 3s)",
    );
    expect(bodies.sms.length).toBeLessThanOrEqual(MAX_SMS_CHARS);
  });

  it("gives SQS, HTTPS and Lambda the same versioned JSON document", () => {
    expect(bodies.https).toBe(bodies.sqs);
    expect(bodies.lambda).toBe(bodies.sqs);
    expect(doc).toMatchObject({
      schema: "nats-lookout/notice-group",
      version: NOTICE_GROUP_SCHEMA_VERSION,
      state: "new",
      cluster: "c1",
      slice: "meta",
      run_id: "run-1",
      group: {
        check: "meta_peer_seen",
        code: null,
        title: "Meta peer not seen",
        severity: "critical",
        peer: "c1-n2",
        total: 1,
        part: 1,
        parts: 1,
      },
      why: def.why,
      action: def.action,
      commands: def.commands,
    });
    expect(doc.notices).toEqual([
      {
        id: `meta_peer_seen|cluster=c1|peer=c1-n2#new@${T0 + 60_000}`,
        fingerprint: "meta_peer_seen|cluster=c1|peer=c1-n2",
        at: new Date(T0 + 60_000).toISOString(),
        first_seen: new Date(T0).toISOString(),
        subject: { cluster: "c1", peer: "c1-n2" },
        summary: "meta leader c1-n1 last heard from c1-n2 5.1s ago (threshold 3s)",
        values: { active_ms: 5100, threshold_ms: 3000, current: false },
      },
    ]);
  });

  it("carries filterable attributes, leaving out account and stream when the alert has none", () => {
    expect(m.attributes).toEqual({ severity: "critical", check: "meta_peer_seen", cluster: "c1", state: "new" });
  });

  it("in a supercluster, `cluster` stays the monitored one and `server_cluster` names the servers' own", () => {
    const lost = notice(
      "gateway_lost",
      { cluster: "east", server: "east-n1" },
      "east-n1: gateway to west, connected in the previous run, is gone",
    );
    const groups = groupNotices([lost], "prod");
    const p = { group: groups[0]!, notices: groups[0]!.notices, part: 1, parts: 1 };
    const r = render(p);
    expect(r.m.attributes).toEqual({
      severity: lost.finding.severity,
      check: "gateway_lost",
      cluster: "prod",
      server_cluster: "east",
      state: "new",
    });
    expect(r.m.subject).toContain("server east-n1 (prod/east)");
    expect(r.m.subject).not.toContain("cluster east");
    expect(r.doc.cluster).toBe("prod");
    expect(r.doc.group.server_cluster).toBe("east");
    // A finding about the cluster as a whole names no other cluster.
    const [g] = groupNotices([notice("monitor_blind", { cluster: "prod" }, "blind")], "prod");
    expect(g!.serverCluster).toBeUndefined();
    expect(render({ group: g!, notices: g!.notices, part: 1, parts: 1 }).m.attributes.server_cluster).toBeUndefined();
  });

  it("counts its size as SNS does: message, subject and attributes", () => {
    expect(m.bytes).toBe(publishBytes(m.subject, m.message, m.attributes));
    expect(m.bytes).toBeGreaterThan(Buffer.byteLength(m.message));
  });
});

describe("renderMessage: reminders and resolutions", () => {
  it("labels a reminder and says how long it has been firing", () => {
    const f = peerSeen().finding;
    const { m, bodies } = render(whole([noticeOf(f, "reminder", T0 + 4 * 3_600_000)]));
    expect(m.subject).toBe("[CRITICAL reminder] Meta peer not seen: peer c1-n2 (c1)");
    expect(bodies.default).toContain(`Firing since ${new Date(T0).toISOString()} (4h)`);
    expect(m.attributes.state).toBe("reminder");
  });

  it("says what cleared and after how long, keeping the severity so the pager's filter lets it through", () => {
    const f = peerSeen().finding;
    const { m, bodies, doc } = render(whole([noticeOf(f, "resolved", T0 + 80_000)]));
    expect(m.subject).toBe("[RESOLVED] Meta peer not seen: peer c1-n2 (c1)");
    expect(bodies.default).toContain("Cleared after 1m20s");
    expect(bodies.default).toContain("Last reading: meta leader c1-n1 last heard");
    expect(bodies.default).not.toContain("What to do");
    expect(bodies.sms).toBe("RESOLVED Meta peer not seen: peer c1-n2 (c1) cleared after 1m20s");
    expect(m.attributes).toMatchObject({ severity: "critical", state: "resolved" });
    expect(doc.notices[0]!.duration_ms).toBe(80_000);
  });
});

describe("renderMessage: a group", () => {
  it("names the count and the shared server, lists a few members and counts the rest", () => {
    const { m, bodies, doc } = render(whole(replicaStorm(120)), 5);
    expect(m.subject).toBe("[CRITICAL] Stream replica not seen: 120 alerts, peer c1-n2 (c1)");
    const t = bodies.default;
    expect(t.split("\n")[0]).toBe(
      "CRITICAL: Stream replica not seen (stream_peer_seen, JETSTREAM_023), 120 alerts, peer c1-n2",
    );
    expect(t).toContain(
      "Alerts (5 of 120 listed):\n  - APP > ORDERS_0000: replica c1-n2 of APP > ORDERS_0000 last seen",
    );
    expect(t.match(/^ {2}- /gm)).toHaveLength(5);
    expect(t).toContain("  ... and 115 more");
    expect(bodies.sms).toBe("CRITICAL Stream replica not seen: 120 alerts, peer c1-n2 (c1)");
    expect(doc.notices).toHaveLength(120);
    expect(doc.group).toMatchObject({ total: 120, peer: "c1-n2" });
  });

  it("says multiple for a field whose members differ, the value when they share it", () => {
    const { m } = render(whole(replicaStorm(3)));
    expect(m.attributes).toEqual({
      severity: "critical",
      check: "stream_peer_seen",
      cluster: "c1",
      state: "new",
      account: "APP",
      stream: MULTIPLE,
    });
  });

  it("leaves out an empty value, which SNS would refuse the whole message for", () => {
    const n = notice("stream_quorum_lost", { cluster: "c1", account: "", stream: "S1" }, "no leader");
    expect(render(whole([n])).m.attributes).toEqual({
      severity: "critical",
      check: "stream_quorum_lost",
      cluster: "c1",
      state: "new",
      stream: "S1",
    });
  });

  it("labels a part of a split group", () => {
    const g = groupNotices(replicaStorm(10), "c1")[0]!;
    const { m, bodies, doc } = render({ group: g, notices: g.notices.slice(5), part: 2, parts: 2 });
    expect(m.subject).toBe("[CRITICAL] Stream replica not seen: 10 alerts, peer c1-n2 (c1) [2/2]");
    expect(bodies.default).toContain("This message is part 2 of 2 and carries 5 of them.");
    expect(doc.group).toMatchObject({ total: 10, part: 2, parts: 2 });
    expect(doc.notices.map((n) => n.subject.stream)).toEqual(g.notices.slice(5).map((n) => n.finding.subject.stream));
    expect(m.noticeIds).toEqual(g.notices.slice(5).map((n) => n.id));
  });

  it("keeps a member's commands only where they differ from the group's", () => {
    const [a, b] = replicaStorm(2);
    b!.finding.commands = ["nats stream info ORDERS_0001"];
    const { doc } = render(whole([a!, b!]));
    expect(doc.notices[0]!.commands).toBeUndefined();
    expect(doc.notices[1]!.commands).toEqual(["nats stream info ORDERS_0001"]);
  });
});

describe("renderMessage: limits", () => {
  it("keeps the subject ASCII, on one line and under 100 characters, part label intact", () => {
    const long = `STREAM_${"x".repeat(200)}_ü\n`;
    const n = notice("stream_quorum_lost", { cluster: "c1", account: "APP", stream: long }, "no leader");
    const g = groupNotices([n], "c1")[0]!;
    const { m } = render({ group: g, notices: [n], part: 3, parts: 4 });
    expect(m.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_CHARS);
    expect(m.subject).toMatch(/^\[CRITICAL\] Stream quorum lost: APP > STREAM_x+\.\.\. \[3\/4\]$/);
    expect(m.subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it("replaces what SNS would refuse in a subject", () => {
    const n = notice("stream_quorum_lost", { cluster: "c1", account: "APP", stream: "Größe" }, "no leader");
    expect(render(whole([n])).m.subject).toBe("[CRITICAL] Stream quorum lost: APP > Gr??e (c1)");
  });

  it("clips an enormous summary so that one finding always fits in a message", () => {
    const n = noticeOf(
      finding("replication_error", { cluster: "c1", account: "APP", stream: "S" }, "e".repeat(300_000), {
        error: "e".repeat(300_000),
      }),
    );
    const { m, doc } = render(whole([n]));
    expect(doc.notices[0]!.summary.length).toBe(MAX_SUMMARY_CHARS);
    expect(m.bytes).toBeLessThan(30_000);
  });
});
