// The pure parts of the alert lifecycle: reconcile (what to tell), deliverable/claim (who sends)
// and settle (what was sent), at their edges.
import { describe, expect, it } from "vitest";
import { emptyBook, type AlertBook, type Notice } from "../../lib/alerts/alert.ts";
import { claim, deliverable, reconcile, settle, type LifecyclePolicy } from "../../lib/alerts/reconcile.ts";
import { fingerprint } from "../../lib/findings/finding.ts";
import { peerSeen } from "./scripted-slice.ts";

const P: LifecyclePolicy = { remindAfterMs: 3_600_000, resolveAfterRuns: 2, claimLeaseMs: 300_000 };
const T = 1_800_000_000_000;
const fp = (peer: string) => fingerprint(peerSeen(peer));
const ids = (b: AlertBook) => b.outbox.map((n) => `${n.kind}:${n.finding.subject.peer}`);

/** Marks every notice in the outbox as delivered by `by` at `at`. */
const deliverAll = (b: AlertBook, at: number, by = ["x"]) =>
  settle(b, new Map(b.outbox.map((n) => [n.id, by])), new Map(), by, at);

describe("reconcile", () => {
  it("opens one alert per fingerprint and queues one `new` notice, whatever the finding's numbers", () => {
    const r = reconcile(emptyBook(), [peerSeen("n2", 40_000), peerSeen("n2", 50_000), peerSeen("n3")], T, P);
    expect(Object.keys(r.book.alerts).sort()).toEqual([fp("n2"), fp("n3")].sort());
    expect(ids(r.book)).toEqual(["new:n2", "new:n3"]);
    expect(r.book.alerts[fp("n2")]!.finding.values.active_ms).toBe(50_000); // the last one wins
    expect(r.states.get(fp("n2"))).toBe("new");
  });

  it("refreshes a firing alert's finding and lastSeen and queues nothing", () => {
    const b = deliverAll(reconcile(emptyBook(), [peerSeen("n2")], T, P).book, T);
    const r = reconcile(b, [peerSeen("n2", 90_000)], T + 60_000, P);
    expect(r.queued).toEqual([]);
    expect(r.states.get(fp("n2"))).toBe("firing");
    expect(r.book.alerts[fp("n2")]).toMatchObject({
      firstSeen: T,
      lastSeen: T + 60_000,
      lastNotified: T,
      finding: { values: { active_ms: 90_000 } },
    });
  });

  it("reminds only once remindAfter passed since the last delivery, and never while a new or reminder is pending", () => {
    let b = deliverAll(reconcile(emptyBook(), [peerSeen("n2")], T, P).book, T);
    expect(reconcile(b, [peerSeen("n2")], T + P.remindAfterMs - 1, P).queued).toEqual([]);
    const r = reconcile(b, [peerSeen("n2")], T + P.remindAfterMs, P);
    expect(r.queued.map((n) => n.kind)).toEqual(["reminder"]);
    expect(r.states.get(fp("n2"))).toBe("reminder");
    b = r.book; // the reminder is not delivered yet
    expect(reconcile(b, [peerSeen("n2")], T + 2 * P.remindAfterMs, P).queued).toEqual([]);

    const undelivered = reconcile(emptyBook(), [peerSeen("n3")], T, P).book; // `new` still pending
    expect(reconcile(undelivered, [peerSeen("n3")], T + 5 * P.remindAfterMs, P).queued).toEqual([]);
  });

  it("resolves after resolveAfterRuns clear runs, with the duration up to the first clear run", () => {
    const b0 = deliverAll(reconcile(emptyBook(), [peerSeen("n2")], T, P).book, T);
    const r1 = reconcile(b0, [], T + 60_000, P);
    expect(r1.queued).toEqual([]);
    expect(r1.book.alerts[fp("n2")]).toMatchObject({ clearRuns: 1, clearSince: T + 60_000 });
    const r2 = reconcile(r1.book, [], T + 120_000, P);
    expect(r2.queued.map((n) => [n.kind, n.durationMs])).toEqual([["resolved", 60_000]]);
    expect(r2.book.alerts).toEqual({});
    expect(r2.resolved.map((a) => a.fingerprint)).toEqual([fp("n2")]);
  });

  it("a finding back before it resolved ends the clear streak: no notice, and the streak starts again", () => {
    const b0 = deliverAll(reconcile(emptyBook(), [peerSeen("n2")], T, P).book, T);
    const off = reconcile(b0, [], T + 60_000, P).book;
    const on = reconcile(off, [peerSeen("n2")], T + 120_000, P);
    expect(on.queued).toEqual([]);
    expect(on.book.alerts[fp("n2")]!.clearRuns).toBe(0);
    expect(on.book.alerts[fp("n2")]!.clearSince).toBeUndefined();
    const off2 = reconcile(on.book, [], T + 180_000, P);
    expect(off2.queued).toEqual([]);
    expect(off2.book.alerts[fp("n2")]!.clearSince).toBe(T + 180_000);
  });

  it("resolveAfterRuns 1 resolves on the first clear run", () => {
    const p1 = { ...P, resolveAfterRuns: 1 };
    const b0 = reconcile(emptyBook(), [peerSeen("n2")], T, p1).book;
    expect(reconcile(b0, [], T + 1, p1).queued.map((n) => [n.kind, n.durationMs])).toEqual([["resolved", 1]]);
  });

  it("leaves an alert the run did not cover exactly as it was", () => {
    const b0 = deliverAll(reconcile(emptyBook(), [peerSeen("n2"), peerSeen("n3")], T, P).book, T);
    const r = reconcile(b0, [], T + 60_000, P, (a) => a.finding.subject.peer !== "n2");
    expect(r.book.alerts[fp("n2")]).toEqual(b0.alerts[fp("n2")]);
    expect(r.book.alerts[fp("n3")]!.clearRuns).toBe(1);
  });

  it("on resolution drops a pending reminder but keeps a pending `new`, so people hear both start and end", () => {
    const b0 = deliverAll(reconcile(emptyBook(), [peerSeen("n2")], T, P).book, T);
    const withReminder = reconcile(b0, [peerSeen("n2")], T + P.remindAfterMs, P).book;
    const newPending = reconcile(withReminder, [peerSeen("n3")], T + P.remindAfterMs, P).book;
    let b = newPending;
    b = reconcile(b, [], T + P.remindAfterMs + 1, P).book;
    b = reconcile(b, [], T + P.remindAfterMs + 2, P).book;
    expect(ids(b)).toEqual(["new:n3", "resolved:n2", "resolved:n3"]);
  });

  it("a resolved alert that comes back is a new alert with a new first-seen time", () => {
    const p1 = { ...P, resolveAfterRuns: 1 };
    let b = deliverAll(reconcile(emptyBook(), [peerSeen("n2")], T, p1).book, T);
    b = deliverAll(reconcile(b, [], T + 1000, p1).book, T + 1000);
    const back = reconcile(b, [peerSeen("n2")], T + 2000, p1);
    expect(back.queued.map((n) => n.kind)).toEqual(["new"]);
    expect(back.book.alerts[fp("n2")]!.firstSeen).toBe(T + 2000);
  });
});

describe("deliverable and claim", () => {
  const book = (): AlertBook => reconcile(emptyBook(), [peerSeen("n2"), peerSeen("n3")], T, P).book;

  it("claims only the given notices, for this run, until now + lease", () => {
    const b = book();
    const first = b.outbox[0]!.id;
    const c = claim(b, new Set([first]), "run-a", T, P.claimLeaseMs);
    expect(c.outbox.map((n) => [n.claimedBy, n.claimedUntil])).toEqual([
      ["run-a", T + P.claimLeaseMs],
      [undefined, undefined],
    ]);
    expect(b.outbox[0]!.claimedBy).toBeUndefined(); // pure: the input is untouched
  });

  it("hides notices another run holds until its lease lapses; its own and unclaimed ones are deliverable", () => {
    const c = claim(book(), new Set([book().outbox[0]!.id]), "run-a", T, P.claimLeaseMs);
    expect(deliverable(c, "run-b", T + 1).map((n) => n.finding.subject.peer)).toEqual(["n3"]);
    expect(deliverable(c, "run-a", T + 1)).toHaveLength(2);
    expect(deliverable(c, "run-b", T + P.claimLeaseMs)).toHaveLength(2);
  });
});

describe("settle", () => {
  const one = (): { b: AlertBook; n: Notice } => {
    const b = claim(
      reconcile(emptyBook(), [peerSeen("n2")], T, P).book,
      new Set([`${fp("n2")}#new@${T}`]),
      "run-a",
      T,
      P.claimLeaseMs,
    );
    return { b, n: b.outbox[0]! };
  };

  it("removes a notice every notifier delivered and records when people were told (not for resolved)", () => {
    const { b, n } = one();
    const s = settle(b, new Map([[n.id, ["sns", "jsonl"]]]), new Map(), ["sns", "jsonl"], T + 5);
    expect(s.outbox).toEqual([]);
    expect(s.alerts[fp("n2")]!.lastNotified).toBe(T + 5);
  });

  it("keeps a partly delivered notice, unclaimed, remembering who has it and counting the failure", () => {
    const { b, n } = one();
    const s = settle(b, new Map([[n.id, ["jsonl"]]]), new Map([[n.id, "sns: throttled"]]), ["sns", "jsonl"], T + 5);
    expect(s.outbox).toHaveLength(1);
    expect(s.outbox[0]).toMatchObject({ deliveredTo: ["jsonl"], attempts: 1, lastError: "sns: throttled" });
    expect(s.outbox[0]!.claimedBy).toBeUndefined();
    expect(s.alerts[fp("n2")]!.lastNotified).toBeUndefined();
    // The next run delivers to the missing notifier only; then it is done.
    const done = settle(s, new Map([[n.id, ["sns"]]]), new Map(), ["sns", "jsonl"], T + 10);
    expect(done.outbox).toEqual([]);
  });

  it("leaves notices this run did not touch as they were, claims included", () => {
    const { b } = one();
    expect(settle(b, new Map(), new Map(), ["sns"], T + 5)).toEqual(b);
  });

  it("with no notifiers configured, a notice marked handled leaves the outbox", () => {
    const { b, n } = one();
    expect(settle(b, new Map([[n.id, []]]), new Map(), [], T + 5).outbox).toEqual([]);
  });

  it("does not set lastNotified from a resolved notice", () => {
    const p1 = { ...P, resolveAfterRuns: 1 };
    const b0 = deliverAll(reconcile(emptyBook(), [peerSeen("n2"), peerSeen("n3")], T, p1).book, T);
    const r = reconcile(b0, [peerSeen("n3")], T + 1000, p1).book;
    const s = deliverAll(r, T + 2000);
    expect(s.alerts[fp("n3")]!.lastNotified).toBe(T);
    expect(s.alerts[fp("n2")]).toBeUndefined();
  });
});
