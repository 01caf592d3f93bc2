import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildConfig, loadConfig } from "../../lib/config/load.ts";
import { ConfigError } from "../../lib/errors.ts";

describe("configuration", () => {
  it("takes connection settings from the nats CLI's environment variables", () => {
    const c = buildConfig({}, { NATS_URL: "nats://127.0.0.1:4222, nats://127.0.0.1:4223", NATS_USER: "sys", NATS_PASSWORD: "pw", NATS_CA: "/ca.pem" });
    expect(c.nats.servers).toEqual(["nats://127.0.0.1:4222", "nats://127.0.0.1:4223"]);
    expect(c.nats.user).toBe("sys");
    expect(c.nats.password).toBe("pw");
    expect(c.nats.tls).toEqual({ ca: "/ca.pem" });
  });

  it("lets the file override the environment's connection settings", () => {
    const c = buildConfig({ nats: { servers: ["nats://127.0.0.1:5000"], token: "t" } }, { NATS_URL: "nats://127.0.0.1:4222" });
    expect(c.nats.servers).toEqual(["nats://127.0.0.1:5000"]);
    expect(c.nats.token).toBe("t");
  });

  it("ships documented defaults", () => {
    const c = buildConfig({}, {});
    expect(c.thresholds.meta.peerSeenCriticalMs).toBe(30_000);
    expect(c.thresholds.meta.peerLagCritical).toBeUndefined();
    expect(c.thresholds.meta.flapMaxChanges).toBe(1);
    expect(c.thresholds.meta.flapWindowMs).toBe(600_000);
    expect(c.thresholds.streams.defaults["peer-seen-critical"]).toBe("1m");
    expect(c.alerts.remindAfterMs).toBe(4 * 3_600_000);
    expect(c.history).toEqual({ kind: "file", dir: ".lookout" });
    expect(c.notify).toEqual([{ kind: "terminal" }]);
  });

  it("parses durations, overrides and notifiers", () => {
    const c = buildConfig({
      slices: { meta: { every: "15s" }, streams: { enabled: false } },
      thresholds: { meta: { peerSeenCritical: "45s", peerLagCritical: 500 }, streams: { overrides: [{ account: "APP", stream: "ORD*", values: { "io.nats.monitor.peer-seen-critical": "10s" } }] } },
      notify: [{ kind: "jsonl", file: "x.jsonl" }, { kind: "sns", topicArn: "arn:aws:sns:us-east-1:123456789012:alerts" }],
    }, {});
    expect(c.slices.meta.everyMs).toBe(15_000);
    expect(c.slices.streams.enabled).toBe(false);
    expect(c.thresholds.meta.peerSeenCriticalMs).toBe(45_000);
    expect(c.thresholds.meta.peerLagCritical).toBe(500);
    expect(c.thresholds.streams.overrides).toEqual([{ account: "APP", stream: "ORD*", values: { "peer-seen-critical": "10s" } }]);
    expect(c.notify.map((n) => n.kind)).toEqual(["jsonl", "sns"]);
  });

  it("turns a threshold off with \"off\"", () => {
    expect(buildConfig({ thresholds: { meta: { peerSeenCritical: "off" } } }, {}).thresholds.meta.peerSeenCriticalMs).toBeUndefined();
  });

  it("reports every problem at once, naming the key and the bad value", () => {
    let err: unknown;
    try {
      buildConfig({
        mode: "both",
        slices: { meta: { every: "soon" } },
        thresholds: { meta: { peerSeenCritical: "abc" } },
        nats: { servers: ["http://x"], token: "t", user: "u" },
        notify: [{ kind: "sns", topicArn: "nope" }, { kind: "pager" }],
        colour: true,
      }, {}, "lookout.json");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).message;
    for (const part of ['mode: expected "system" or "account", got "both"', "slices.meta.every", '"soon"', "thresholds.meta.peerSeenCritical", '"abc"', '"http://x" is not a NATS URL', "choose one of user/password, token", "user and password go together", "notify[0].topicArn", 'notify[1].kind', "colour: unknown key"]) {
      expect(text).toContain(part);
    }
    expect((err as ConfigError).problems.length).toBeGreaterThanOrEqual(9);
  });

  it("names an unreadable or malformed file", () => {
    const dir = mkdtempSync(join(tmpdir(), "lookout-cfg-"));
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ nope");
    expect(() => loadConfig(bad, {})).toThrow(/bad\.json: not valid JSON/);
    expect(() => loadConfig(join(dir, "missing.json"), {})).toThrow(/missing\.json: cannot read/);
  });

  it("accepts the README's example file", async () => {
    const { readFileSync } = await import("node:fs");
    const c = loadConfig(join(import.meta.dirname, "..", "..", "docs", "lookout.example.json"), {});
    expect(c.nats.servers.length).toBeGreaterThan(0);
    expect(c.slices.meta.everyMs).toBeGreaterThan(0);
    expect(readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8")).toContain("lookout.example.json");
  });
});
