// The shared resolution for streams without io.nats.monitor.* metadata must give each stream what
// resolving it alone would: the matching overrides decide, not the stream that came first.
import { describe, expect, it } from "vitest";
import { resolveStreamThresholds } from "../../lib/thresholds/monitor-keys.ts";
import type { StreamThresholdConfig } from "../../lib/config/config.ts";

const config = (): StreamThresholdConfig => ({
  defaults: { "peer-seen-critical": "1m" },
  overrides: [
    { account: "BILLING", stream: "PAY*", values: { "peer-seen-critical": "15s" } },
    { stream: "*_MIRROR", values: { "seen-critical": "2m" } },
  ],
  mirrorStallAfterMs: 300_000,
});

describe("resolveStreamThresholds sharing", () => {
  it("gives each stream its own overrides, whichever stream came first", () => {
    const c = config();
    const pay = resolveStreamThresholds("BILLING", "PAYMENTS", { "_nats.req.level": "0" }, c);
    const other = resolveStreamThresholds("APP", "ORDERS", undefined, c);
    const mirror = resolveStreamThresholds("APP", "ORDERS_MIRROR", {}, c);
    const payMirror = resolveStreamThresholds("BILLING", "PAY_MIRROR", undefined, c);
    expect(pay.values).toEqual({ peerSeenCriticalMs: 15_000 });
    expect(other.values).toEqual({ peerSeenCriticalMs: 60_000 });
    expect(mirror.values).toEqual({ peerSeenCriticalMs: 60_000, seenCriticalMs: 120_000 });
    expect(payMirror.values).toEqual({ peerSeenCriticalMs: 15_000, seenCriticalMs: 120_000 });
    expect(payMirror.origin).toEqual({ "peer-seen-critical": "override", "seen-critical": "override" });
    // Same overrides, same (shared) resolution; a stream with its own metadata gets its own.
    expect(resolveStreamThresholds("APP", "EVENTS", undefined, c)).toBe(other);
    const own = resolveStreamThresholds("APP", "EVENTS", { "io.nats.monitor.peer-seen-critical": "5s" }, c);
    expect(own).not.toBe(other);
    expect(own.values.peerSeenCriticalMs).toBe(5000);
    expect(own.origin["peer-seen-critical"]).toBe("metadata");
  });

  it("does not carry a resolution from one configuration to another", () => {
    const a = resolveStreamThresholds("APP", "ORDERS", undefined, config());
    const b = resolveStreamThresholds("APP", "ORDERS", undefined, {
      ...config(),
      defaults: { "peer-seen-critical": "2m" },
    });
    expect(a.values.peerSeenCriticalMs).toBe(60_000);
    expect(b.values.peerSeenCriticalMs).toBe(120_000);
  });
});
