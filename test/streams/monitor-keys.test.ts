// The one parser for io.nats.monitor.* values, its precedence, and configuration validation.
import { describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { ConfigError } from "../../lib/errors.ts";
import {
  directionOf,
  globMatch,
  parseMonitorValue,
  resolveStreamThresholds,
} from "../../lib/thresholds/monitor-keys.ts";
import { thresholds } from "./builders.ts";

describe("io.nats.monitor keys", () => {
  describe("parseMonitorValue", () => {
    it.each([
      ["peer-seen-critical", "30s", 30_000],
      ["peer-seen-critical", "1h30m", 5_400_000],
      ["seen-critical", "120", 120_000], // a bare number is seconds (seed 001 writes seen-critical=120)
      ["seen-critical", "500ms", 500],
      ["seen-critical", "2d", 172_800_000],
      ["peer-lag-critical", "100", 100],
      ["peer-expect", "3", 3],
      ["msgs-critical", " 42 ", 42],
    ])("%s=%s is %s", (key, text, value) => {
      expect(parseMonitorValue(key, text)).toEqual({ value });
    });

    it.each([
      ["peer-seen-critical", "0"],
      ["peer-seen-critical", "-5s"],
      ["lag-critical", "0"],
      ["peer-expect", "-1"],
    ])("%s=%s turns the check off", (key, text) => {
      expect(parseMonitorValue(key, text)).toEqual({ value: undefined });
    });

    it.each([
      ["peer-seen-critical", "five minutes"],
      ["peer-seen-critical", ""],
      ["lag-critical", "1.5"],
      ["lag-critical", "10k"],
      ["enabled", "yes"],
      ["nonsense", "1"],
    ])("%s=%j is an error", (key, text) => {
      expect(parseMonitorValue(key, text)).toHaveProperty("error");
    });

    it("reads enabled as Go's strconv.ParseBool does", () => {
      for (const t of ["true", "1", "T", "TRUE"]) expect(parseMonitorValue("enabled", t)).toEqual({ value: true });
      for (const f of ["false", "0", "F", "False"]) expect(parseMonitorValue("enabled", f)).toEqual({ value: false });
    });
  });

  describe("resolveStreamThresholds", () => {
    it("takes each key from metadata, else the last matching override, else the defaults", () => {
      const cfg = thresholds({
        defaults: { "lag-critical": "1000" },
        overrides: [
          { stream: "*", values: { "lag-critical": "500", "peer-lag-critical": "7" } },
          { account: "A?P", stream: "ORD*", values: { "lag-critical": "200" } },
          { account: "OTHER", stream: "*", values: { "lag-critical": "1" } },
        ],
      });
      const r = resolveStreamThresholds("APP", "ORDERS", { "io.nats.monitor.peer-seen-critical": "5s" }, cfg);
      expect(r.values).toEqual({ peerSeenCriticalMs: 5000, lagCritical: 200, peerLagCritical: 7 });
      expect(r.origin).toEqual({
        "peer-seen-critical": "metadata",
        "lag-critical": "override",
        "peer-lag-critical": "override",
      });
      expect(resolveStreamThresholds("APP", "PAY", undefined, cfg).values).toMatchObject({
        lagCritical: 500,
        peerSeenCriticalMs: 60_000,
      });
    });

    it("falls back to the next source when a value does not parse, and reports it", () => {
      const r = resolveStreamThresholds(
        "APP",
        "S",
        { "io.nats.monitor.peer-seen-critical": "soon", "io.nats.monitor.lag-critical": "x" },
        thresholds(),
      );
      expect(r.values.peerSeenCriticalMs).toBe(60_000);
      expect(r.values.lagCritical).toBeUndefined();
      expect(r.invalid.map((i) => [i.key, i.value, i.origin])).toEqual([
        ["peer-seen-critical", "soon", "metadata"],
        ["lag-critical", "x", "metadata"],
      ]);
    });

    it("a stream without metadata (a 2.9 server drops it) gets overrides and defaults", () => {
      const r = resolveStreamThresholds(
        "APP",
        "S",
        undefined,
        thresholds({ overrides: [{ stream: "S", values: { enabled: "false" } }] }),
      );
      expect(r.enabled).toBe(false);
      expect(r.origin.enabled).toBe("override");
    });
  });

  it("directionOf: critical below warning means fewer is worse; anything else more is worse", () => {
    expect(directionOf(100, 10)).toBe("below");
    expect(directionOf(10, 100)).toBe("above");
    expect(directionOf(10, 10)).toBe("above");
    expect(directionOf(undefined, 10)).toBe("above");
    expect(directionOf(10, undefined)).toBe("above");
  });

  it("globMatch: * any run, ? one character, the rest literal", () => {
    expect(globMatch("ORD*", "ORDERS")).toBe(true);
    expect(globMatch("ORD*", "XORDERS")).toBe(false);
    expect(globMatch("A?P", "APP")).toBe(true);
    expect(globMatch("a.b", "aXb")).toBe(false);
    expect(globMatch("*", "")).toBe(true);
  });

  it("configuration loading rejects a bad default or override value, naming where it is", () => {
    const bad = () =>
      buildConfig(
        {
          thresholds: {
            streams: {
              defaults: { "peer-seen-critical": "soon" },
              overrides: [{ stream: "X", values: { "lag-critcal": "5" } }],
            },
          },
        },
        {},
      );
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (e) {
      const problems = (e as ConfigError).problems.join("\n");
      expect(problems).toContain("thresholds.streams.defaults.peer-seen-critical");
      expect(problems).toContain("thresholds.streams.overrides[0].values.lag-critcal: unknown key");
    }
    const ok = buildConfig(
      {
        thresholds: {
          streams: {
            defaults: { "io.nats.monitor.seen-critical": "2m" },
            overrides: [{ account: "APP", stream: "*", values: { enabled: false } }],
            mirrorStallAfter: "3s",
          },
        },
      },
      {},
    );
    expect(ok.thresholds.streams.defaults).toEqual({ "peer-seen-critical": "1m", "seen-critical": "2m" });
    expect(ok.thresholds.streams.overrides[0]!.values).toEqual({ enabled: "false" });
    expect(ok.thresholds.streams.mirrorStallAfterMs).toBe(3000);
  });
});
