// `lookout check` as scripts and Nagios run it: the real CLI process against a real cluster.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsCluster, SYS_USER, waitFor } from "../harness/cluster.ts";
import { newestServer, projectRoot } from "../harness/servers.ts";

const run = promisify(execFile);
const bin = join(projectRoot, "bin", "lookout.js");

interface CliResult { code: number; stdout: string; stderr: string }
async function lookout(args: string[], env: Record<string, string>, cwd: string): Promise<CliResult> {
  try {
    const r = await run(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env }, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === "number" ? x.code : -1, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
}

describe("lookout check (CLI)", () => {
  let cluster: NatsCluster;
  let cwd: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    cluster = await NatsCluster.start({ binary: newestServer() });
    cwd = mkdtempSync(join(tmpdir(), "lookout-cli-"));
    env = { NATS_URL: cluster.urls.join(","), NATS_USER: SYS_USER.user, NATS_PASSWORD: SYS_USER.password };
    writeFileSync(join(cwd, "fast.json"), JSON.stringify({ thresholds: { meta: { peerSeenCritical: "3s" } }, timeouts: { request: "1s", connect: "2s" } }));
    writeFileSync(join(cwd, "slow.json"), JSON.stringify({ thresholds: { meta: { peerSeenCritical: "10m" } }, timeouts: { request: "1s", connect: "2s" } }));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("exits 0 with an empty findings document on a healthy cluster", async () => {
    const r = await lookout(["check", "--slice", "meta", "--format", "json", "--history", join(cwd, "h-ok")], env, cwd);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { status: string; findings: unknown[] };
    expect(doc.status).toBe("ok");
    expect(doc.findings).toEqual([]);
  });

  it("prints Nagios and Prometheus formats for a healthy cluster", async () => {
    const n = await lookout(["check", "--slice", "meta", "--format", "nagios", "--history", join(cwd, "h-ok")], env, cwd);
    expect(n.code).toBe(0);
    expect(n.stdout).toMatch(/^LOOKOUT OK: no findings \| critical=0 warning=0 meta_requests=\d+ meta_duration=[\d.]+s\n$/);
    const p = await lookout(["check", "--slice", "meta", "--format", "prometheus", "--history", join(cwd, "h-ok")], env, cwd);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('lookout_status{slice="meta"} 0');
    expect(p.stdout).toContain('lookout_findings{slice="meta",severity="critical"} 0');
  });

  it("exits 1 for warnings only, 2 for critical, keeping history between one-shot runs", async () => {
    const leader = await cluster.waitForMetaLeader();
    const victim = cluster.servers.find((s) => s.name !== leader)!;
    const history = join(cwd, "h-fault");
    cluster.freeze(victim.index);
    try {
      // A frozen server cannot answer: a warning, before the (long) peer-seen threshold passes.
      const w = await lookout(["check", "--slice", "meta", "--format", "json", "--config", "slow.json", "--history", join(cwd, "h-warn")], env, cwd);
      expect(w.code).toBe(1);
      const wd = JSON.parse(w.stdout) as { findings: { id: string; severity: string }[] };
      expect(wd.findings.map((f) => f.id)).toEqual(["monitor_partial"]);

      const first = await waitFor("a critical run", async () => {
        const r = await lookout(["check", "--slice", "meta", "--format", "json", "--config", "fast.json", "--history", history], env, cwd);
        return r.code === 2 ? r : undefined;
      }, 40_000, 1000);
      const doc = JSON.parse(first.stdout) as { findings: { id: string; state: string; subject: { peer?: string } }[] };
      const seen = doc.findings.find((f) => f.id === "meta_peer_seen")!;
      expect(seen.subject.peer).toBe(victim.name);
      expect(seen.state).toBe("new");

      const again = await lookout(["check", "--slice", "meta", "--format", "text", "--config", "fast.json", "--history", history], env, cwd);
      expect(again.code).toBe(2);
      expect(again.stdout).toMatch(/CRITICAL firing\s+meta_peer_seen/);
      const nag = await lookout(["check", "--slice", "meta", "--format", "nagios", "--config", "fast.json", "--history", history], env, cwd);
      expect(nag.code).toBe(2);
      expect(nag.stdout).toMatch(/^LOOKOUT CRITICAL: .*last heard from/);
    } finally {
      cluster.thaw(victim.index);
    }
    await cluster.waitForMetaLeader();
    // Two clear runs resolve it (resolveAfterRuns = 2); the second reports it resolved.
    const resolved = await waitFor("the alert to resolve", async () => {
      const r = await lookout(["check", "--slice", "meta", "--format", "json", "--config", "fast.json", "--history", history], env, cwd);
      const d = JSON.parse(r.stdout) as { resolved: { id: string }[] };
      return d.resolved.some((x) => x.id === "meta_peer_seen") ? r : undefined;
    }, 40_000, 500);
    expect(resolved.code).toBe(0);
  });

  it("exits 3 with a blind finding for an unreachable server, and 3 with a usage error", async () => {
    const r = await lookout(["check", "--format", "nagios", "--history", join(cwd, "h-blind")], { NATS_URL: "nats://127.0.0.1:1" }, cwd);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^LOOKOUT UNKNOWN: monitor is blind: connection refused/);
    const bad = await lookout(["check", "--format", "xml"], env, cwd);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain("--format: expected one of text, json, nagios, prometheus");
    const badCfg = await lookout(["check", "--config", "missing.json"], env, cwd);
    expect(badCfg.code).toBe(3);
    expect(badCfg.stderr).toContain("missing.json: cannot read");
  });
});
