// The README's NRPE command, cron line and systemd unit, run as written against a real cluster:
// only this checkout's path, the cluster's URLs and test credentials are put in.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsCluster, SYS_USER, waitFor } from "../../lib/testbed/cluster.ts";
import { newestServer, projectRoot } from "../../lib/testbed/servers.ts";

const run = promisify(execFile);
const readme = readFileSync(join(projectRoot, "README.md"), "utf8");

/** The fenced block after `<!-- recipe:NAME -->`. */
function recipe(name: string): string {
  const m = new RegExp(`<!-- recipe:${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (!m?.[1]) throw new Error(`README has no recipe ${name}`);
  return m[1];
}

/** Cron and NRPE run with a bare environment and no usable home. */
const BARE_ENV = { PATH: "/usr/bin:/bin", HOME: "/dev/null/home", LANG: "C" };

async function sh(
  command: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run("/bin/sh", ["-c", command], { cwd: "/", env, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === "number" ? x.code : -1, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
}

describe("README recipes", () => {
  let cluster: NatsCluster;
  let dir: string;
  let put: (text: string) => string;
  beforeAll(async () => {
    cluster = await NatsCluster.start({ binary: newestServer() });
    dir = mkdtempSync(join(tmpdir(), "lookout-recipes-"));
    const urls = cluster.servers.map((s) => `127.0.0.1:${s.port}`).join(",");
    put = (text) =>
      text
        .replaceAll("/opt/nats-lookout", projectRoot)
        .replaceAll("nats-1:4222,nats-2:4222", urls)
        .replaceAll(
          "NATS_CREDS=/etc/lookout/sys.creds",
          `NATS_USER=${SYS_USER.user} NATS_PASSWORD=${SYS_USER.password}`,
        )
        .replaceAll("/var/lib/node_exporter/textfile", dir);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("NRPE: the command line prints one status line and exits 0 on a healthy cluster", async () => {
    const line = put(recipe("nrpe"));
    const command = line.slice(line.indexOf("]=") + 2);
    const r = await sh(command, { ...BARE_ENV, TMPDIR: dir });
    expect(r.stdout.split("\n")[0], r.stderr).toMatch(/^LOOKOUT OK: no findings \| meta_peers_online=3;;2:;0;3 /);
    expect(r.code).toBe(0);
  });

  it("cron: the textfile collector gets a whole metrics file and cron gets no output to mail", async () => {
    const fields = put(recipe("cron")).split(/\s+/);
    const command = fields.slice(6).join(" "); // five time fields and the user of /etc/cron.d
    expect(fields[5]).toBe("prometheus");
    const r = await sh(command, { ...BARE_ENV, TMPDIR: dir });
    expect(r).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const prom = readFileSync(join(dir, "nats_lookout.prom"), "utf8");
    expect(prom).toMatch(/^lookout_status 0$/m);
    expect(prom).toMatch(/^lookout_meta_peers_online 3$/m);
  });

  it("systemd: the unit verifies, and its ExecStart watches the cluster until SIGTERM", async () => {
    const unit = put(recipe("systemd"));
    const file = join(dir, "nats-lookout.service");
    writeFileSync(file, unit);
    const verify = await run("systemd-analyze", ["verify", file]).catch((e: { stderr?: string; code?: number }) => ({
      stdout: "",
      stderr: `exit ${e.code}: ${e.stderr}`,
    }));
    expect(verify.stderr).toBe("");

    const env: Record<string, string> = { ...BARE_ENV, STATE_DIRECTORY: join(dir, "state") };
    for (const m of unit.matchAll(/^Environment=(\w+)=(.*)$/gm)) env[m[1]!] = m[2]!;
    const exec = /^ExecStart=(.*)$/m.exec(unit)![1]!.replace("${STATE_DIRECTORY}", env.STATE_DIRECTORY!);
    const [cmd, ...args] = exec.split(" ");
    const child = spawn(cmd!, args, { cwd: "/", env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitFor("watch to start", async () => (out.includes("lookout: watching") ? true : undefined), 30_000, 100);
      expect(out).toContain(`history in ${join(dir, "state")}`);
      expect(out).not.toContain("\x1b["); // NO_COLOR=1
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(err).toBe("");
  });
});
