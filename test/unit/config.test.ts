import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildConfig, loadConfig } from "../../lib/config/load.ts";
import { ConfigError } from "../../lib/errors.ts";

describe("configuration", () => {
  it("takes connection settings from the nats CLI's environment variables", () => {
    const ca = join(mkdtempSync(join(tmpdir(), "lookout-cfg-")), "ca.pem");
    writeFileSync(ca, "not checked here");
    const c = buildConfig(
      {},
      { NATS_URL: "nats://127.0.0.1:4222, nats://127.0.0.1:4223", NATS_USER: "sys", NATS_PASSWORD: "pw", NATS_CA: ca },
    );
    expect(c.nats.servers).toEqual(["nats://127.0.0.1:4222", "nats://127.0.0.1:4223"]);
    expect(c.nats.user).toBe("sys");
    expect(c.nats.password).toBe("pw");
    expect(c.nats.tls).toEqual({ ca });
  });

  it("takes server URLs as the nats CLI does, user info becoming credentials that no URL keeps", () => {
    const c = buildConfig(
      {},
      { NATS_URL: "localhost,10.0.0.1:4333,nats://n3,tls://n4:7422,wss://n5,nats://alice:s%40cret@n6:4222" },
    );
    expect(c.nats.servers).toEqual([
      "nats://localhost:4222",
      "nats://10.0.0.1:4333",
      "nats://n3:4222",
      "tls://n4:7422",
      "wss://n5:443",
      "nats://n6:4222",
    ]);
    expect(c.nats).toMatchObject({ user: "alice", password: "s@cret" });
    expect(buildConfig({}, { NATS_URL: "nats://tok3n@n1" }).nats).toMatchObject({
      servers: ["nats://n1:4222"],
      token: "tok3n",
    });
    // Explicit settings win over user info, as in the nats CLI.
    expect(buildConfig({}, { NATS_URL: "nats://a:b@n1", NATS_TOKEN: "t" }).nats).toEqual({
      servers: ["nats://n1:4222"],
      token: "t",
    });
    // A lone user is a token, as in the nats CLI.
    expect(buildConfig({}, { NATS_USER: "just-a-token" }).nats).toEqual({
      servers: ["nats://127.0.0.1:4222"],
      token: "just-a-token",
    });
  });

  it("never echoes URL user info in a problem, and names files that cannot be read", () => {
    let err: unknown;
    try {
      buildConfig(
        {
          nats: {
            servers: ["http://bob:pw-Leak-1@x", "nats://a:pw-Leak-2@n1", "nats://c:pw-Leak-3@n2"],
            creds: "/no/such.creds",
            tls: { ca: "/no/ca.pem" },
          },
        },
        {},
      );
    } catch (e) {
      err = e;
    }
    const text = (err as ConfigError).message;
    expect(text).not.toMatch(/pw-Leak/);
    expect((err as ConfigError).problems).toEqual([
      'nats.servers[0] has an unsupported scheme "http" (expected nats, tls, ws or wss)',
      "nats.servers[2] carries other credentials than nats.servers[1]; give one set (user info on every URL, or --user/--password)",
      'nats.creds: cannot read "/no/such.creds" (no such file)',
      'nats.tls.ca: cannot read "/no/ca.pem" (no such file)',
    ]);
  });

  it("lets the file override the environment's connection settings", () => {
    const c = buildConfig(
      { nats: { servers: ["nats://127.0.0.1:5000"], token: "t" } },
      { NATS_URL: "nats://127.0.0.1:4222" },
    );
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
    expect(c.history).toEqual({ kind: "file" });
    expect(c.notify).toEqual([{ kind: "terminal" }]);
  });

  it("parses durations, overrides and notifiers", () => {
    const c = buildConfig(
      {
        slices: { meta: { every: "15s" }, streams: { enabled: false } },
        thresholds: {
          meta: { peerSeenCritical: "45s", peerLagCritical: 500 },
          streams: {
            overrides: [{ account: "APP", stream: "ORD*", values: { "io.nats.monitor.peer-seen-critical": "10s" } }],
          },
        },
        notify: [
          { kind: "jsonl", file: "x.jsonl" },
          { kind: "sns", topicArn: "arn:aws:sns:us-east-1:123456789012:alerts" },
        ],
      },
      {},
    );
    expect(c.slices.meta.everyMs).toBe(15_000);
    expect(c.slices.streams.enabled).toBe(false);
    expect(c.thresholds.meta.peerSeenCriticalMs).toBe(45_000);
    expect(c.thresholds.meta.peerLagCritical).toBe(500);
    expect(c.thresholds.streams.overrides).toEqual([
      { account: "APP", stream: "ORD*", values: { "peer-seen-critical": "10s" } },
    ]);
    expect(c.notify.map((n) => n.kind)).toEqual(["jsonl", "sns"]);
  });

  it('turns a threshold off with "off"', () => {
    expect(
      buildConfig({ thresholds: { meta: { peerSeenCritical: "off" } } }, {}).thresholds.meta.peerSeenCriticalMs,
    ).toBeUndefined();
  });

  it("reports every problem at once, naming the key and the bad value", () => {
    let err: unknown;
    try {
      buildConfig(
        {
          mode: "both",
          slices: { meta: { every: "soon" } },
          thresholds: { meta: { peerSeenCritical: "abc" } },
          nats: { servers: ["http://x"], token: "t", user: "u" },
          notify: [{ kind: "sns", topicArn: "nope" }, { kind: "pager" }],
          colour: true,
        },
        {},
        "lookout.json",
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).message;
    for (const part of [
      'mode: expected "system" or "account", got "both"',
      "slices.meta.every",
      '"soon"',
      "thresholds.meta.peerSeenCritical",
      '"abc"',
      'nats.servers[0] has an unsupported scheme "http"',
      "a user without a password is a token, and a token is also given",
      "notify[0].topicArn",
      "notify[1].kind",
      "colour: unknown key",
    ]) {
      expect(text).toContain(part);
    }
    expect((err as ConfigError).problems.length).toBeGreaterThanOrEqual(8);
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
    const file = join(import.meta.dirname, "..", "..", "docs", "lookout.example.json");
    // Its credential files live on the operator's machine: the only problems are that they are missing here.
    expect(() => loadConfig(file, {})).toThrow(ConfigError);
    try {
      loadConfig(file, {});
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([
        'nats.creds: cannot read "/etc/lookout/sys.creds" (no such file)',
        'nats.tls.ca: cannot read "/etc/lookout/ca.pem" (no such file)',
      ]);
    }
    expect(readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8")).toContain("lookout.example.json");
  });
});
