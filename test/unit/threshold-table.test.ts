// The one threshold table (lib/thresholds/table.ts) and the configuration keys it defines:
// kebab-case documented, the camelCase names of 0.1 accepted with one warning each.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../lib/config/config.ts";
import { buildConfig } from "../../lib/config/load.ts";
import { ConfigError } from "../../lib/errors.ts";
import { parseDurationMs } from "../../lib/thresholds/duration.ts";
import { THRESHOLDS } from "../../lib/thresholds/table.ts";
import { resolveConsumerThresholds } from "../../lib/thresholds/consumer-keys.ts";

describe("threshold table", () => {
  it("states a direction for every integer threshold; only msgs-* and subjects-* take it from the order of warn and critical", () => {
    for (const t of THRESHOLDS.filter((x) => x.kind === "integer"))
      expect(t.direction, `${t.slice}.${t.key}`).toBeDefined();
    const byOrder = THRESHOLDS.filter((t) => t.direction === "warn-critical-order")
      .map((t) => t.key)
      .sort();
    expect(byOrder).toEqual(["msgs-critical", "msgs-warn", "subjects-critical", "subjects-warn"]);
  });

  it("names every key in kebab-case, once per slice", () => {
    for (const t of THRESHOLDS) expect(t.key).toMatch(/^[a-z]+(-[a-z]+)*$/);
    const ids = THRESHOLDS.map((t) => `${t.slice}.${t.key}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("documents the defaults the configuration ships", () => {
    // A configuration row's typed value lives at thresholds.<slice>.<field>.
    const bySlice = DEFAULT_CONFIG.thresholds as unknown as Record<string, Record<string, unknown> | undefined>;
    for (const t of THRESHOLDS.filter((x) => x.scope === "config")) {
      const want =
        t.default === "off"
          ? undefined
          : t.kind === "duration"
            ? parseDurationMs(t.default)
            : t.kind === "bool"
              ? t.default === "true"
              : Number(t.default);
      expect(bySlice[t.slice]?.[t.field!], `${t.slice}.${t.key}`).toEqual(want);
    }
    for (const t of THRESHOLDS.filter((x) => x.scope === "metadata" && x.slice === "consumers" && x.kind !== "bool")) {
      expect(DEFAULT_CONFIG.thresholds.consumers.defaults[t.key] ?? "off", t.key).toBe(t.default);
    }
    for (const t of THRESHOLDS.filter((x) => x.scope === "metadata" && x.slice === "streams" && x.kind !== "bool")) {
      expect(DEFAULT_CONFIG.thresholds.streams.defaults[t.key] ?? "off", t.key).toBe(t.default);
    }
  });
});

describe("threshold configuration keys", () => {
  it("reads the documented kebab-case keys without a warning", () => {
    const c = buildConfig(
      {
        thresholds: {
          meta: { "peer-seen-critical": "45s", "peer-lag-critical": 500, "flap-max-changes": 2, "flap-window": "20m" },
          streams: { "mirror-stall-after": "2m" },
        },
      },
      {},
    );
    expect(c.thresholds.meta).toEqual({
      peerSeenCriticalMs: 45_000,
      peerLagCritical: 500,
      flapMaxChanges: 2,
      flapWindowMs: 1_200_000,
    });
    expect(c.thresholds.streams.mirrorStallAfterMs).toBe(120_000);
    expect(c.warnings).toBeUndefined();
    expect(
      buildConfig({ thresholds: { meta: { "peer-seen-critical": "off", "peer-lag-critical": 0 } } }, {}).thresholds
        .meta,
    ).toEqual({ flapMaxChanges: 1, flapWindowMs: 600_000 });
  });

  it("accepts the camelCase names of 0.1 with one warning each, naming the key to write", () => {
    const c = buildConfig(
      { thresholds: { meta: { peerSeenCritical: "45s", flapWindow: "20m" }, streams: { mirrorStallAfter: "2m" } } },
      {},
      "lookout.json",
    );
    expect(c.thresholds.meta.peerSeenCriticalMs).toBe(45_000);
    expect(c.thresholds.meta.flapWindowMs).toBe(1_200_000);
    expect(c.thresholds.streams.mirrorStallAfterMs).toBe(120_000);
    expect(c.warnings).toEqual([
      "lookout.json: thresholds.meta.peerSeenCritical is deprecated: write thresholds.meta.peer-seen-critical (keys are named as the NATS tools' io.nats.monitor.* keys; the old name is accepted in this release only)",
      "lookout.json: thresholds.meta.flapWindow is deprecated: write thresholds.meta.flap-window (keys are named as the NATS tools' io.nats.monitor.* keys; the old name is accepted in this release only)",
      "lookout.json: thresholds.streams.mirrorStallAfter is deprecated: write thresholds.streams.mirror-stall-after (keys are named as the NATS tools' io.nats.monitor.* keys; the old name is accepted in this release only)",
    ]);
  });

  it("the example configuration uses only documented names", () => {
    const doc = JSON.parse(
      readFileSync(join(import.meta.dirname, "..", "..", "docs", "lookout.example.json"), "utf8"),
    ) as { nats: Record<string, unknown> };
    // Its credential files live on the operator's machine.
    delete doc.nats.creds;
    delete doc.nats.tls;
    const c = buildConfig(doc, {});
    expect(c.warnings).toBeUndefined();
    expect(c.thresholds.meta).toEqual({
      peerSeenCriticalMs: 30_000,
      peerLagCritical: 10_000,
      flapMaxChanges: 1,
      flapWindowMs: 600_000,
    });
    // The consumers override applies where account, stream and consumer globs all match.
    const settle = resolveConsumerThresholds(
      { account: "BILLING", stream: "PAYMENTS_EU", name: "SETTLE_1" },
      undefined,
      c.thresholds.consumers,
    );
    expect(settle.invalid).toEqual([]);
    expect(settle.values).toMatchObject({ stuckAfterMs: 60_000, outstandingAckCritical: 5000 });
    const other = resolveConsumerThresholds(
      { account: "BILLING", stream: "PAYMENTS_EU", name: "AUDIT" },
      undefined,
      c.thresholds.consumers,
    );
    expect(other.values.stuckAfterMs).toBe(300_000);
    expect(other.values.outstandingAckCritical).toBeUndefined();
    expect(c.thresholds.servers).toMatchObject({ credsWarnMs: 14 * 86_400_000, credsCriticalMs: 3 * 86_400_000 });
    expect(Object.keys(c.slices).sort()).toEqual(["consumers", "meta", "servers", "streams"]);
  });

  it("names the key as written in a problem, refuses both spellings at once and lists only documented keys as known", () => {
    const problems = (doc: unknown): string[] => {
      try {
        buildConfig(doc, {}, "lookout.json");
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    expect(problems({ thresholds: { meta: { "peer-seen-critical": "soon" } } })).toEqual([
      'lookout.json: thresholds.meta.peer-seen-critical: "soon" is not a duration (use e.g. 30s, 5m, 1h30m, 2d; a bare number means seconds)',
    ]);
    expect(problems({ thresholds: { meta: { "flap-max-changes": -1 } } })).toEqual([
      "lookout.json: thresholds.meta.flap-max-changes: expected an integer >= 0, got -1",
    ]);
    expect(problems({ thresholds: { meta: { peerLagCritical: 5, "peer-lag-critical": 6 } } })).toEqual([
      "lookout.json: thresholds.meta.peerLagCritical: also given as thresholds.meta.peer-lag-critical: keep only peer-lag-critical",
    ]);
    expect(problems({ thresholds: { streams: { "mirror-stall": "5m" } } })).toEqual([
      "lookout.json: thresholds.streams.mirror-stall: unknown key (expected one of mirror-stall-after, defaults, overrides)",
    ]);
  });
});
