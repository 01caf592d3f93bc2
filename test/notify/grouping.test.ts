// The grouping rule: state + check + severity + cluster + the server the members share.
import { describe, expect, it } from "vitest";
import { finding } from "../../lib/checks/catalog.ts";
import { groupKey, groupNotices, sharedValue } from "../../lib/notify/grouping.ts";
import { notice, noticeOf, replicaStorm } from "./notices.ts";

describe("groupNotices", () => {
  it("turns a storm on one server into one group, apart from another server's", () => {
    const storm = replicaStorm(500, "c1-n2");
    const other = replicaStorm(3, "c1-n3");
    const groups = groupNotices([...storm, ...other], "c1");
    expect(groups.map((g) => [g.check, g.anchor?.name, g.notices.length])).toEqual([
      ["stream_peer_seen", "c1-n2", 500],
      ["stream_peer_seen", "c1-n3", 3],
    ]);
    expect(groups[0]!.anchor).toEqual({ kind: "peer", name: "c1-n2" });
  });

  it("keeps each notice in exactly one group", () => {
    const all = [
      ...replicaStorm(40),
      ...replicaStorm(7, "c1-n3", "resolved"),
      notice("monitor_partial", { cluster: "c1" }, "2 of 3 answered"),
    ];
    const ids = groupNotices(all, "c1").flatMap((g) => g.notices.map((n) => n.id));
    expect(ids.sort()).toEqual(all.map((n) => n.id).sort());
  });

  it("separates states, checks and severities, most severe and newest state first", () => {
    const subject = { cluster: "c1", account: "APP", stream: "S1", peer: "c1-n2" };
    const fired = notice("stream_peer_seen", subject, "not seen");
    const cleared = noticeOf(finding("stream_peer_seen", { ...subject, stream: "S2" }, "not seen"), "resolved");
    const reminded = noticeOf(finding("stream_peer_seen", { ...subject, stream: "S3" }, "not seen"), "reminder");
    const lag = notice("stream_peer_lag", subject, "behind");
    const warned = noticeOf(finding("stream_peer_seen", { ...subject, stream: "S4" }, "not seen", {}, "warning"));
    const groups = groupNotices([cleared, warned, lag, reminded, fired], "c1");
    expect(groups.map((g) => `${g.severity}/${g.state}/${g.check}`)).toEqual([
      "critical/new/stream_peer_lag",
      "critical/new/stream_peer_seen",
      "critical/reminder/stream_peer_seen",
      "critical/resolved/stream_peer_seen",
      "warning/new/stream_peer_seen",
    ]);
  });

  it("anchors on the peer before the server, and groups unanchored findings by check alone", () => {
    const both = notice("stream_peer_seen", { cluster: "c1", stream: "S1", peer: "c1-n2", server: "c1-n1" }, "x");
    const server = notice("stream_unavailable", { cluster: "c1", stream: "S1", server: "c1-n1" }, "x");
    const lost = ["A", "B", "C"].map((s) =>
      notice("stream_quorum_lost", { cluster: "c1", account: "APP", stream: s }, "no leader"),
    );
    const groups = groupNotices([both, server, ...lost], "c1");
    expect(groups.find((g) => g.check === "stream_peer_seen")!.anchor).toEqual({ kind: "peer", name: "c1-n2" });
    expect(groups.find((g) => g.check === "stream_unavailable")!.anchor).toEqual({ kind: "server", name: "c1-n1" });
    const q = groups.find((g) => g.check === "stream_quorum_lost")!;
    expect(q.anchor).toBeUndefined();
    expect(q.notices.map((n) => n.finding.subject.stream)).toEqual(["A", "B", "C"]);
  });

  it("uses the delivery's cluster for findings that do not name one", () => {
    const n = notice("monitor_blind", {}, "monitor is blind: connection refused");
    const [g] = groupNotices([n], "prod-east");
    expect(g!.cluster).toBe("prod-east");
    expect(groupKey(n, "prod-east")).not.toBe(groupKey(n, "prod-west"));
  });

  it("orders members by fingerprint whatever order they came in", () => {
    const storm = replicaStorm(30);
    const [g] = groupNotices([...storm].reverse(), "c1");
    expect(g!.notices.map((n) => n.id)).toEqual(storm.map((n) => n.id));
  });
});

describe("sharedValue", () => {
  it("says one, several or none", () => {
    const storm = replicaStorm(3);
    expect(sharedValue(storm, "account")).toEqual({ kind: "one", value: "APP" });
    expect(sharedValue(storm, "stream")).toEqual({ kind: "several" });
    expect(sharedValue([notice("monitor_partial", { cluster: "c1" }, "x")], "stream")).toEqual({ kind: "none" });
    expect(sharedValue([storm[0]!, notice("monitor_partial", { cluster: "c1" }, "x")], "account")).toEqual({
      kind: "several",
    });
  });
});
