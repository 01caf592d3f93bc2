// Issue 8: NATS unreachable, wrong credentials and TLS mismatch make the monitor say it is blind,
// with the reason; the password, token and nkey seed never appear in findings, notices or output.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUser } from "@nats-io/nkeys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { JsonLinesNotifier } from "../../lib/notify/jsonl.ts";
import { SharedConnection } from "../../lib/run/connection.ts";
import { runSlice, type RunReport } from "../../lib/run/run-slice.ts";
import { metaSlice } from "../../lib/slices/meta.ts";
import { NatsCluster } from "../../lib/testbed/cluster.ts";
import { newestServer } from "../../lib/testbed/servers.ts";

const PASSWORD = "pw-Zq81-never-print-me";
const TOKEN = "tok-Xv55-never-print-me";
const nkeyUser = createUser();
const SEED = new TextDecoder().decode(nkeyUser.getSeed());
const WRONG_SEED = new TextDecoder().decode(createUser().getSeed());

/** A CA and a server certificate for 127.0.0.1, made with openssl for this test only. */
function makeCerts(dir: string): { ca: string; cert: string; key: string; otherCa: string } {
  const sh = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  for (const ca of ["ca", "other-ca"]) {
    sh([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${ca}.key`,
      "-out",
      `${ca}.pem`,
      "-days",
      "2",
      "-subj",
      `/CN=${ca}`,
    ]);
  }
  sh(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]);
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  sh([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "san.ext",
  ]);
  return {
    ca: join(dir, "ca.pem"),
    cert: join(dir, "server.pem"),
    key: join(dir, "server.key"),
    otherCa: join(dir, "other-ca.pem"),
  };
}

let runs = 0;
async function once(nats: object, dir: string): Promise<{ report: RunReport; notices: string }> {
  const config = buildConfig({ nats, timeouts: { connect: "2s", request: "1s" } }, {});
  const conn = new SharedConnection(config.nats, config.timeouts.connectMs);
  const file = join(dir, `notices-${++runs}.jsonl`);
  try {
    const report = await runSlice(metaSlice, {
      config,
      history: new FileHistoryStore(mkdtempSync(join(dir, "h-"))),
      notifiers: [new JsonLinesNotifier(file)],
      connection: conn.get,
      failover: conn.failover,
      describeError: conn.describe,
    });
    let notices = "";
    try {
      notices = readFileSync(file, "utf8");
    } catch {
      // nothing delivered
    }
    return { report, notices };
  } finally {
    await conn.close();
  }
}

describe("blind monitor and secrets", () => {
  let dir: string;
  let tls: NatsCluster;
  let auth: NatsCluster;
  let certs: ReturnType<typeof makeCerts>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lookout-blind-"));
    certs = makeCerts(dir);
    tls = await NatsCluster.start({
      binary: newestServer(),
      size: 1,
      extraConfig: `tls { cert_file: "${certs.cert}", key_file: "${certs.key}" }`,
    });
    // An account with a password user and an nkey user; a token the server does not know.
    auth = await NatsCluster.start({
      binary: newestServer(),
      size: 1,
      accounts: [{ name: "APP", user: "app", password: PASSWORD, jetstream: true, nkeys: [nkeyUser.getPublicKey()] }],
    });
  });
  afterAll(async () => {
    await tls?.stop();
    await auth?.stop();
  });

  const expectBlind = (r: RunReport, reason: RegExp) => {
    expect(r.findings.map((f) => f.id)).toEqual(["monitor_blind"]);
    expect(r.status).toBe("unknown");
    expect(r.findings[0]!.severity).toBe("critical");
    expect(r.findings[0]!.summary).toMatch(reason);
  };

  it("names a refused connection", async () => {
    const { report, notices } = await once({ servers: ["nats://127.0.0.1:1"] }, dir);
    expectBlind(report, /connection refused/);
    expect(notices).toContain('"monitor_blind"');
  });

  it("names a TLS mismatch: server requires TLS, monitor verifies with the wrong CA", async () => {
    const { report } = await once(
      { servers: tls.urls, user: "sys", password: "sys-secret", tls: { ca: certs.otherCa } },
      dir,
    );
    expectBlind(report, /TLS|certificate/i);
  });

  it("sees through TLS with the right CA", async () => {
    const { report } = await once(
      { servers: tls.urls, user: "sys", password: "sys-secret", tls: { ca: certs.ca } },
      dir,
    );
    expect(report.findings.map((f) => f.summary)).toEqual([]);
  });

  it("names a TLS mismatch: monitor requires TLS, server offers none", async () => {
    const { report } = await once(
      { servers: auth.urls, user: "sys", password: "sys-secret", tls: { ca: certs.ca } },
      dir,
    );
    expectBlind(report, /TLS/i);
  });

  it("names wrong credentials and never prints the password", async () => {
    const { report, notices } = await once({ servers: auth.urls, user: "nobody", password: PASSWORD }, dir);
    expectBlind(report, /authentication failed/i);
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
    expect(notices).not.toContain(PASSWORD);
  });

  it("never prints a token or an nkey seed, from the CLI either", async () => {
    const seedFile = join(dir, "user.nk");
    writeFileSync(seedFile, WRONG_SEED);
    const viaToken = await once({ servers: auth.urls, token: TOKEN }, dir);
    expectBlind(viaToken.report, /authentication failed/i);
    const viaSeed = await once({ servers: auth.urls, nkey: seedFile }, dir);
    expectBlind(viaSeed.report, /authentication failed|authorization/i);
    for (const x of [viaToken, viaSeed]) {
      for (const secret of [TOKEN, SEED, WRONG_SEED]) {
        expect(JSON.stringify(x.report)).not.toContain(secret);
        expect(x.notices).not.toContain(secret);
      }
    }
    const bin = join(import.meta.dirname, "..", "..", "bin", "lookout.js");
    let out = "";
    try {
      execFileSync(process.execPath, [bin, "check", "--format", "json", "--history", join(dir, "cli-h")], {
        env: { PATH: process.env.PATH ?? "", NATS_URL: auth.urls.join(","), NATS_USER: "sys", NATS_PASSWORD: PASSWORD },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (e) {
      const x = e as { stdout?: string; stderr?: string; status?: number };
      out = `${x.stdout ?? ""}${x.stderr ?? ""}`;
      expect(x.status).toBe(3);
    }
    expect(out).toContain("monitor_blind");
    expect(out).not.toContain(PASSWORD);
  });

  it("connects with an nkey seed the server knows (so the seed path is really used)", async () => {
    const seedFile = join(dir, "good.nk");
    writeFileSync(seedFile, SEED);
    const { report } = await once({ servers: auth.urls, nkey: seedFile }, dir);
    // The login works, but an application-account user is not the system account: nothing
    // answers the $SYS fan-out, a blindness of another kind than a refused login.
    expectBlind(
      report,
      /no responders for \$SYS\.REQ\.SERVER\.PING\.JSZ: these credentials are probably not the system account's/,
    );
    expect(JSON.stringify(report)).not.toContain(SEED);
  });
});
