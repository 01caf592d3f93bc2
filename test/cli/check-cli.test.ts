// `lookout check` as Nagios/NRPE, cron and the textfile collector run it: the real CLI process, no
// TTY, working directory `/`, no writable home, a short --timeout, against a real cluster. For each
// outcome the first stdout line and the exit code must say the same thing.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsCluster, SYS_USER, waitFor } from "../../lib/testbed/cluster.ts";
import { newestServer, projectRoot } from "../../lib/testbed/servers.ts";

const run = promisify(execFile);
const bin = join(projectRoot, "bin", "lookout.js");

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  first: string;
}
async function lookout(args: string[], env: Record<string, string>, cwd = "/"): Promise<CliResult> {
  // A home nobody can create, even root (tests run as root here): a path through a plain file.
  const base = { PATH: process.env.PATH ?? "", HOME: "/dev/null/home", TMPDIR: env.TMPDIR ?? tmpdir() };
  let r: { code: number; stdout: string; stderr: string };
  try {
    const x = await run(process.execPath, [bin, ...args], { cwd, env: { ...base, ...env }, timeout: 60_000 });
    r = { code: 0, stdout: x.stdout, stderr: x.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    r = { code: typeof x.code === "number" ? x.code : -1, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
  return { ...r, first: r.stdout.split("\n")[0] ?? "" };
}

const STATUS_OF_CODE = ["OK", "WARNING", "CRITICAL", "UNKNOWN"];
const expectPlugin = (r: CliResult, code: number, line: RegExp) => {
  expect(r.first, r.stderr).toMatch(line);
  expect(r.first.startsWith(`LOOKOUT ${STATUS_OF_CODE[code]}: `)).toBe(true);
  expect(r.code).toBe(code);
};

describe("lookout check as a monitoring plugin", () => {
  let cluster: NatsCluster;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    cluster = await NatsCluster.start({ binary: newestServer() });
    dir = mkdtempSync(join(tmpdir(), "lookout-plugin-"));
    env = {
      NATS_URL: cluster.urls.join(","),
      NATS_USER: SYS_USER.user,
      NATS_PASSWORD: SYS_USER.password,
      XDG_STATE_HOME: join(dir, "state"),
    };
    writeFileSync(
      join(dir, "fast.json"),
      JSON.stringify({
        thresholds: { meta: { "peer-seen-critical": "3s" } },
        timeouts: { request: "1s", connect: "2s" },
      }),
    );
    writeFileSync(
      join(dir, "slow.json"),
      JSON.stringify({
        thresholds: { meta: { "peer-seen-critical": "10m" } },
        timeouts: { request: "1s", connect: "2s" },
      }),
    );
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("ok: status line, perfdata with the cluster's own numbers, history in the state directory", async () => {
    const r = await lookout(["check", "--format", "nagios", "--timeout", "9s", "--verbose"], env);
    expectPlugin(r, 0, /^LOOKOUT OK: no findings \| /);
    const perf = r.first.split(" | ")[1]!;
    // 3 meta peers online, quorum 2 as the critical range, 0..3.
    expect(perf).toContain("meta_peers_online=3;;2:;0;3");
    expect(perf).toMatch(/streams_judged=\d+;;;0/);
    expect(perf).toMatch(/meta_duration=\d+\.\d{3}s;;;0/);
    expect(r.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    const stateDir = join(dir, "state", "nats-lookout", "history");
    expect(r.stderr).toContain(`lookout: history in ${stateDir}`);
    // Keyed by the cluster's own name, never by the URL list.
    expect(readdirSync(stateDir).sort()).toEqual(["%40last-seen", cluster.opts.clusterName]);

    const text = await lookout(["check", "--timeout", "9s"], env);
    expectPlugin(text, 0, /^LOOKOUT OK: no findings$/);
    const json = await lookout(["check", "--format", "json"], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ schema: "nats-lookout/check/v1", status: "ok", findings: [] });
  });

  it("without any writable home (NRPE's nobody from /): a private folder under TMPDIR, said with --verbose", async () => {
    const tmp = mkdtempSync(join(dir, "tmp-"));
    const { XDG_STATE_HOME: _, ...noState } = env;
    const r = await lookout(["check", "--slice", "meta", "--format", "nagios", "--verbose"], {
      ...noState,
      TMPDIR: tmp,
    });
    expectPlugin(r, 0, /^LOOKOUT OK: /);
    const uid = process.getuid?.() ?? "user";
    expect(r.stderr).toContain(`history in ${join(tmp, `nats-lookout-${uid}`, "history")}`);
  });

  it("warning, then critical, then resolved, with one alert identity across URL lists", async () => {
    const leader = await cluster.waitForMetaLeader();
    const victim = cluster.servers.find((s) => s.name !== leader)!;
    const e2 = { ...env, XDG_STATE_HOME: join(dir, "state-fault") };
    cluster.freeze(victim.index);
    try {
      const w = await lookout(
        ["check", "--slice", "meta", "--format", "nagios", "--config", join(dir, "slow.json"), "--timeout", "9s"],
        e2,
      );
      expectPlugin(w, 1, /^LOOKOUT WARNING: 2 of 3 servers answered \(silent: /);
      const crit = await waitFor(
        "a critical run",
        async () => {
          const r = await lookout(
            ["check", "--slice", "meta", "--format", "nagios", "--config", join(dir, "fast.json")],
            e2,
          );
          return r.code === 2 ? r : undefined;
        },
        40_000,
        1000,
      );
      expectPlugin(crit, 2, /^LOOKOUT CRITICAL: .*last heard from/);
      expect(new Set(crit.stdout.split("\n").filter(Boolean)).size).toBe(
        crit.stdout.split("\n").filter(Boolean).length,
      );
      // The same alert, still firing, when the URL list changes (order and one server less).
      const fewer = {
        ...e2,
        NATS_URL: cluster.urls
          .filter((_, i) => i !== victim.index)
          .reverse()
          .join(","),
      };
      const again = await lookout(
        ["check", "--slice", "meta", "--format", "json", "--config", join(dir, "fast.json")],
        fewer,
      );
      const doc = JSON.parse(again.stdout) as { findings: { id: string; state: string }[] };
      expect(doc.findings.find((f) => f.id === "meta_peer_seen")?.state).toBe("firing");
    } finally {
      cluster.thaw(victim.index);
    }
    await cluster.waitForMetaLeader();
    const resolved = await waitFor(
      "the alert to resolve",
      async () => {
        const r = await lookout(
          ["check", "--slice", "meta", "--format", "json", "--config", join(dir, "fast.json")],
          e2,
        );
        const d = JSON.parse(r.stdout) as { resolved: { id: string }[] };
        return d.resolved.some((x) => x.id === "meta_peer_seen") ? r : undefined;
      },
      40_000,
      500,
    );
    expect(resolved.code).toBe(0);
  });

  it("blind: unknown, naming the server without the credentials in its URL", async () => {
    const r = await lookout(["check", "--format", "nagios", "--timeout", "5s"], {
      ...env,
      NATS_URL: "nats://alice:pw-Blind-77@127.0.0.1:1",
      NATS_USER: "",
      NATS_PASSWORD: "",
    });
    expectPlugin(r, 3, /^LOOKOUT UNKNOWN: monitor is blind: connection refused by nats:\/\/127\.0\.0\.1:1 /);
    expect(r.stdout + r.stderr).not.toContain("pw-Blind-77");
  });

  it("URL user info authenticates (`nats://user:pass@host` as the nats CLI takes it)", async () => {
    const urls = cluster.servers.map((s) => `nats://${SYS_USER.user}:${SYS_USER.password}@127.0.0.1:${s.port}`);
    const r = await lookout(["check", "--slice", "meta", "--format", "nagios"], {
      ...env,
      NATS_URL: urls.join(","),
      NATS_USER: "",
      NATS_PASSWORD: "",
    });
    expectPlugin(r, 0, /^LOOKOUT OK: /);
    const bare = await lookout(["check", "--slice", "meta", "--format", "nagios"], {
      ...env,
      NATS_URL: `localhost:${cluster.servers[0]!.port}`,
    });
    expectPlugin(bare, 0, /^LOOKOUT OK: /);
  });

  it("nats contexts and flags, with the nats CLI's precedence: flags > environment > context", async () => {
    // A context file as `nats context save` writes it: every field, empty where unset.
    const config = join(dir, "xdg-config");
    mkdirSync(join(config, "nats", "context"), { recursive: true });
    const ctx = {
      description: "test bed",
      url: cluster.urls.join(","),
      socks_proxy: "",
      token: "",
      user: SYS_USER.user,
      password: SYS_USER.password,
      creds: "",
      nkey: "",
      cert: "",
      key: "",
      ca: "",
      nsc: "",
      jetstream_domain: "",
      jetstream_api_prefix: "",
      jetstream_event_prefix: "",
      inbox_prefix: "",
      user_jwt: "",
      color_scheme: "",
      tls_first: false,
      windows_cert_store: "",
      windows_cert_match_by: "",
      windows_cert_match: "",
      windows_ca_certs_match: null,
    };
    writeFileSync(join(config, "nats", "context", "bed.json"), JSON.stringify(ctx, null, "  "));
    writeFileSync(join(config, "nats", "context.txt"), "bed");
    const base = { XDG_STATE_HOME: env.XDG_STATE_HOME!, XDG_CONFIG_HOME: config };
    const selected = await lookout(["check", "--slice", "meta", "--format", "nagios"], base);
    expectPlugin(selected, 0, /^LOOKOUT OK: /);
    // The environment's credentials replace the context's (all of them: no mixing).
    const envWins = await lookout(["check", "--slice", "meta", "--format", "nagios", "--timeout", "5s"], {
      ...base,
      NATS_USER: SYS_USER.user,
      NATS_PASSWORD: "wrong-pw-Ctx9",
    });
    expectPlugin(envWins, 3, /^LOOKOUT UNKNOWN: monitor is blind: authentication failed/);
    expect(envWins.stdout).not.toContain("wrong-pw-Ctx9");
    const flagWins = await lookout(
      ["check", "--slice", "meta", "--format", "nagios", "--user", SYS_USER.user, "--password", SYS_USER.password],
      { ...base, NATS_USER: SYS_USER.user, NATS_PASSWORD: "wrong-pw-Ctx9" },
    );
    expectPlugin(flagWins, 0, /^LOOKOUT OK: /);
    const flagServer = await lookout(
      ["check", "--slice", "meta", "--format", "nagios", "-s", "nats://127.0.0.1:1", "--timeout", "5s"],
      base,
    );
    expectPlugin(flagServer, 3, /^LOOKOUT UNKNOWN: monitor is blind: connection refused by nats:\/\/127\.0\.0\.1:1 /);
    const named = await lookout(["check", "--slice", "meta", "--format", "nagios", "--context", "nope"], base);
    expectPlugin(
      named,
      3,
      /^LOOKOUT UNKNOWN: invalid configuration: nats context "nope" \(from --context\): no such context file /,
    );
    const viaEnv = await lookout(["check", "--slice", "meta", "--format", "nagios"], { ...base, NATS_CONTEXT: "bed" });
    expectPlugin(viaEnv, 0, /^LOOKOUT OK: /);
  });

  it("configuration mistakes: unknown, one clear line, before any connection", async () => {
    const badFlag = await lookout(["check", "--bogus"], env);
    expectPlugin(badFlag, 3, /^LOOKOUT UNKNOWN: Unknown option '--bogus'/);
    expect(badFlag.stderr).toContain("usage: lookout check");
    const watchFlag = await lookout(["watch", "--format", "json"], env);
    expect(watchFlag.code).toBe(3);
    expect(watchFlag.stderr).toContain("usage: lookout watch");
    const badFormat = await lookout(["check", "--format", "xml"], env);
    expectPlugin(badFormat, 3, /^LOOKOUT UNKNOWN: --format: expected one of text, json, nagios, prometheus/);
    const missingCreds = await lookout(["check"], {
      ...env,
      NATS_USER: "",
      NATS_PASSWORD: "",
      NATS_CREDS: join(dir, "missing.creds"),
    });
    expectPlugin(
      missingCreds,
      3,
      /^LOOKOUT UNKNOWN: invalid configuration: nats.creds: cannot read ".*missing.creds" \(no such file\)$/,
    );
    const badConfig = await lookout(["check", "--config", join(dir, "nope.json")], env);
    expectPlugin(badConfig, 3, /^LOOKOUT UNKNOWN: invalid configuration: .*nope.json: cannot read/);
    writeFileSync(join(dir, "account.json"), JSON.stringify({ mode: "account", slices: { meta: { enabled: true } } }));
    const accountMeta = await lookout(["check", "--config", join(dir, "account.json")], env);
    expectPlugin(
      accountMeta,
      3,
      /^LOOKOUT UNKNOWN: invalid configuration: slices.meta.enabled: the meta slice needs the system account/,
    );
    // No configuration mistake ever becomes an alert in history.
    expect(existsSync(join(dir, "state", "nats-lookout", "history", "unnamed"))).toBe(false);
  });

  it("help and version exit 0", async () => {
    const h = await lookout(["check", "--help"], env);
    expect(h.code).toBe(0);
    expect(h.first).toBe(
      "usage: lookout check [--slice meta|streams|consumers|servers|all] [--format text|json|nagios|prometheus]",
    );
    const w = await lookout(["watch", "--help"], env);
    expect(w.code).toBe(0);
    expect(w.first).toMatch(/^usage: lookout watch/);
    const v = await lookout(["--version"], env);
    const pkg = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { version: string };
    expect(v).toMatchObject({ code: 0, first: `nats-lookout ${pkg.version}` });
  });

  it("--timeout: a held history ends the check inside it, saying where it stopped", async () => {
    const history = join(dir, "held");
    const name = cluster.opts.clusterName;
    mkdirSync(join(history, name), { recursive: true });
    // A live process (this test) holds the history lock: the store would wait 5 s for it. The
    // streams slice, running beside it, finishes and reports.
    writeFileSync(join(history, name, "meta.json.lock"), String(process.pid));
    const r = await lookout(
      [
        "check",
        "--slice",
        "meta,streams",
        "--format",
        "nagios",
        "--timeout",
        "1500ms",
        "--history",
        history,
        "--config",
        join(dir, "fast.json"),
      ],
      env,
    );
    expectPlugin(
      r,
      3,
      /^LOOKOUT UNKNOWN: timed out after 1\.5s in the meta slice \(history save\) \| streams_judged=\d+/,
    );
  });

  it("--format prometheus --outfile: written atomically, exit 0, status in the metrics, stable series", async () => {
    const out = join(dir, "prom");
    mkdirSync(out);
    const file = join(out, "lookout.prom");
    const r = await lookout(["check", "--format", "prometheus", "--outfile", file], {
      ...env,
      NATS_URL: "nats://127.0.0.1:1",
      NATS_USER: "",
      NATS_PASSWORD: "",
    });
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(["lookout.prom"]);
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/^lookout_status 3$/m);
    const names = new Set([...text.matchAll(/^(lookout_\w+)[{ ]/gm)].map((m) => m[1]));
    for (const n of names) {
      expect(text).toContain(`# HELP ${n} `);
      expect(text).toContain(`# TYPE ${n} gauge`);
    }
    expect(text).toMatch(/^lookout_finding\{slice="meta",check="monitor_blind",code="",severity="critical"\} 1$/m);
    expect(text).not.toMatch(/state="/);
    const noFile = await lookout(["check", "--format", "nagios", "--outfile", file], env);
    expectPlugin(noFile, 3, /^LOOKOUT UNKNOWN: --outfile goes with --format prometheus/);
  });
});
