// thresholds.consumers in the configuration: the table's rows, defaults and overrides by account,
// stream and consumer glob; precedence metadata > overrides > defaults, as for streams.
import { describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { ConfigError } from "../../lib/errors.ts";
import { resolveConsumerThresholds } from "../../lib/thresholds/consumer-keys.ts";

describe("consumer thresholds", () => {
  it("reads configuration keys, defaults and overrides", () => {
    const c = buildConfig(
      {
        thresholds: {
          consumers: {
            "include-ephemeral": true,
            "backlog-runs": 3,
            "backlog-factor": 4,
            defaults: { "stuck-after": "2m" },
            overrides: [
              {
                account: "APP",
                stream: "ORD*",
                consumer: "W?",
                values: { "io.nats.monitor.unprocessed-critical": "100" },
              },
            ],
          },
        },
      },
      {},
    );
    const t = c.thresholds.consumers;
    expect({
      includeEphemeral: t.includeEphemeral,
      backlogRuns: t.backlogRuns,
      backlogFactor: t.backlogFactor,
    }).toEqual({ includeEphemeral: true, backlogRuns: 3, backlogFactor: 4 });
    expect(t.defaults["stuck-after"]).toBe("2m");
    expect(t.defaults["peer-seen-critical"]).toBe("1m");
    const hit = resolveConsumerThresholds({ account: "APP", stream: "ORDERS", name: "W1" }, undefined, t);
    expect(hit.values).toMatchObject({ unprocessedCritical: 100, stuckAfterMs: 120_000, peerSeenCriticalMs: 60_000 });
    expect(hit.origin["unprocessed-critical"]).toBe("override");
    const miss = resolveConsumerThresholds({ account: "APP", stream: "ORDERS", name: "WORKER" }, undefined, t);
    expect(miss.values.unprocessedCritical).toBeUndefined();
    // Metadata wins; a bad metadata value falls back to the override and is reported.
    const md = resolveConsumerThresholds(
      { account: "APP", stream: "ORDERS", name: "W1" },
      { "io.nats.monitor.unprocessed-critical": "7", "io.nats.monitor.stuck-after": "soon" },
      t,
    );
    expect(md.values).toMatchObject({ unprocessedCritical: 7, stuckAfterMs: 120_000 });
    expect(md.invalid.map((i) => i.key)).toEqual(["stuck-after"]);
    // A value <= 0 turns a check off.
    expect(
      resolveConsumerThresholds({ account: "A", stream: "S", name: "C" }, { "io.nats.monitor.stuck-after": "0" }, t)
        .values.stuckAfterMs,
    ).toBeUndefined();
  });

  it("rejects malformed values and unknown keys at start, naming them", () => {
    expect(() =>
      buildConfig(
        {
          thresholds: {
            consumers: {
              defaults: { "stuck-after": "later" },
              overrides: [{ consumer: "X", values: { "msgs-critical": "1" } }],
            },
          },
        },
        {},
      ),
    ).toThrow(ConfigError);
    try {
      buildConfig(
        {
          thresholds: {
            consumers: {
              defaults: { "stuck-after": "later" },
              overrides: [{ consumer: "X", values: { "msgs-critical": "1" } }],
              bogus: 1,
            },
          },
        },
        {},
      );
    } catch (e) {
      const m = (e as Error).message;
      expect(m).toContain("thresholds.consumers.defaults.stuck-after");
      expect(m).toContain(
        "thresholds.consumers.overrides[0].values.msgs-critical: a stream key, not read on consumers",
      );
      expect(m).toContain("thresholds.consumers.bogus");
    }
  });
});
