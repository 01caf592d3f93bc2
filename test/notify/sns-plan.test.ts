// Splitting groups that would pass SNS's size limit, and packing messages into PublishBatch requests.
import { describe, expect, it } from "vitest";
import { MAX_PUBLISH_BYTES, type SnsMessage } from "../../lib/notify/messages.ts";
import { DEFAULT_PLAN, MAX_BATCH_ENTRIES, packBatches, planMessages, splitGroup } from "../../lib/notify/sns-plan.ts";
import { groupNotices } from "../../lib/notify/grouping.ts";
import { CTX, notice, replicaStorm } from "./notices.ts";

const idsOf = (ms: SnsMessage[]) => ms.flatMap((m) => m.noticeIds);

describe("planMessages", () => {
  it("sends a 500-stream storm as a handful of messages, each under the limit, every notice exactly once", () => {
    const storm = replicaStorm(500);
    const ms = planMessages(storm, CTX);
    expect(ms.length).toBeGreaterThan(1);
    expect(ms.length).toBeLessThanOrEqual(5);
    for (const m of ms) expect(m.bytes).toBeLessThanOrEqual(MAX_PUBLISH_BYTES);
    expect(idsOf(ms).sort()).toEqual(storm.map((n) => n.id).sort());
    expect(ms.map((m) => m.subject.match(/\[(\d+)\/(\d+)\]$/)?.slice(1))).toEqual(
      ms.map((_, i) => [String(i + 1), String(ms.length)]),
    );
  });

  it("sends one message per group when nothing is large", () => {
    const ms = planMessages(
      [
        ...replicaStorm(30),
        ...replicaStorm(2, "c1-n3"),
        notice("monitor_partial", { cluster: "c1" }, "2 of 3 answered"),
      ],
      CTX,
    );
    expect(ms.map((m) => [m.attributes.check, m.attributes.severity, m.noticeIds.length])).toEqual([
      ["stream_peer_seen", "critical", 30],
      ["stream_peer_seen", "critical", 2],
      ["monitor_partial", "warning", 1],
    ]);
  });
});

describe("splitGroup", () => {
  const group = groupNotices(replicaStorm(100), "c1")[0]!;

  it("uses as few parts as fit, evened out", () => {
    const whole = splitGroup(group, CTX, DEFAULT_PLAN);
    expect(whole).toHaveLength(1);
    const parts = splitGroup(group, CTX, { ...DEFAULT_PLAN, maxMessageBytes: 40_000 });
    expect(parts.length).toBeGreaterThan(2);
    const sizes = parts.map((p) => p.notices.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(Math.ceil(100 / parts.length));
    expect(parts.map((p) => [p.part, p.parts])).toEqual(parts.map((_, i) => [i + 1, parts.length]));
    expect(parts.flatMap((p) => p.notices)).toEqual(group.notices);
  });

  it("still carries a member that cannot fit, alone, rather than dropping it", () => {
    const parts = splitGroup(group, CTX, { ...DEFAULT_PLAN, maxMessageBytes: 2_000 });
    expect(parts).toHaveLength(100);
    expect(parts.every((p) => p.notices.length === 1)).toBe(true);
  });
});

describe("packBatches", () => {
  const msg = (bytes: number, i: number): SnsMessage => ({
    subject: `m${i}`,
    message: "",
    attributes: {},
    bytes,
    noticeIds: [`n${i}`],
  });

  it("puts at most 10 entries in a request", () => {
    const batches = packBatches(Array.from({ length: 25 }, (_, i) => msg(1000, i)));
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
  });

  it("keeps each request within the byte limit, filling gaps with small messages", () => {
    const ms = [msg(200_000, 0), msg(200_000, 1), msg(30_000, 2), msg(30_000, 3), msg(62_144, 4)];
    const batches = packBatches(ms);
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(MAX_BATCH_ENTRIES);
      expect(b.reduce((s, m) => s + m.bytes, 0)).toBeLessThanOrEqual(MAX_PUBLISH_BYTES);
    }
    expect(batches.map((b) => b.map((m) => m.subject))).toEqual([
      ["m0", "m2", "m3"],
      ["m1", "m4"],
    ]);
  });
});
