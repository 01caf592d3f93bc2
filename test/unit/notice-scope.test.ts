// monitor_partial and monitor_blind exist in every slice with the same subject: two slices opening
// them in the same millisecond must still give notices distinct ids (consumers drop duplicates by id).
import { describe, expect, it } from "vitest";
import { emptyBook } from "../../lib/alerts/alert.ts";
import { reconcile } from "../../lib/alerts/reconcile.ts";
import { finding } from "../../lib/checks/catalog.ts";

describe("notice ids across slices", () => {
  it("are unique per slice for the same fingerprint and moment", () => {
    const f = finding("monitor_partial", { cluster: "c" }, "2 of 3 servers answered");
    const policy = { remindAfterMs: 1e9, resolveAfterRuns: 2, claimLeaseMs: 1000 };
    const meta = reconcile(emptyBook(), [f], 1000, { ...policy, scope: "meta" }).queued[0]!;
    const streams = reconcile(emptyBook(), [f], 1000, { ...policy, scope: "streams" }).queued[0]!;
    expect(meta.fingerprint).toBe(streams.fingerprint);
    expect(meta.id).not.toBe(streams.id);
    expect(meta.id).toBe("meta/monitor_partial|cluster=c#new@1000");
  });
});
