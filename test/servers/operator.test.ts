// The monitor's own credentials on a real server in operator mode (memory resolver, preloaded system
// and application accounts): the monitor logs in with its creds file; its user JWT and its account's
// JWT (as the server holds it, read with ACCOUNTZ) are each judged 14 days warning, 3 days critical.
// Neither the seed nor a JWT may reach a finding or the history.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { serversSlice } from "../../lib/slices/servers.ts";
import { NatsCluster } from "../../lib/testbed/cluster.ts";
import { operatorTrust, type OperatorTrust } from "../../lib/testbed/operator.ts";
import { serversUnderTest } from "../../lib/testbed/servers.ts";
import { runOnce } from "../harness/run.ts";
import { LOADED_MACHINE } from "./loaded.ts";

const DAY = 86_400_000;

/** The JWT and seed lines of a creds file: what must never leave the process. */
const secretsOf = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^(eyJ|SU)[A-Za-z0-9_\-.]{20,}$/.test(l));

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), "utf8"));

for (const binary of serversUnderTest()) {
  describe(`the monitor's credentials in operator mode, nats-server ${binary.version}`, () => {
    // One server whose system account expires in 2 days, one in 10.
    const servers: { trust: OperatorTrust; server: NatsCluster }[] = [];
    const dir = mkdtempSync(join(tmpdir(), "lookout-op-"));
    beforeAll(async () => {
      const now = Date.now();
      const trusts = await Promise.all([2, 10].map((d) => operatorTrust({ systemAccountExpiresAt: now + d * DAY })));
      const started = await Promise.allSettled(
        trusts.map((trust) => NatsCluster.start({ binary, size: 1, authConfig: trust.config })),
      );
      started.forEach((s, i) => s.status === "fulfilled" && servers.push({ trust: trusts[i]!, server: s.value }));
      const failed = started.find((s) => s.status === "rejected");
      if (failed) throw failed.reason;
    });
    afterAll(async () => {
      await Promise.all(servers.map((s) => s.server.stop()));
      rmSync(dir, { recursive: true, force: true });
    });

    it("user and account JWT: within 3 days critical, within 14 days warning, in 30 days nothing", async () => {
      const cases = [
        {
          server: 0,
          userDays: 10,
          want: [
            ["monitor_account_expiring", "critical"],
            ["monitor_credentials_expiring", "warning"],
          ],
        },
        {
          server: 1,
          userDays: 2,
          want: [
            ["monitor_account_expiring", "warning"],
            ["monitor_credentials_expiring", "critical"],
          ],
        },
        { server: 1, userDays: 30, want: [["monitor_account_expiring", "warning"]] },
      ];
      for (const c of cases) {
        const { trust, server } = servers[c.server]!;
        const creds = join(dir, `u${c.server}-${c.userDays}.creds`);
        await trust.writeSystemUserCreds(creds, Date.now() + c.userDays * DAY);
        const config = buildConfig(
          {
            nats: { servers: server.urls, creds },
            timeouts: { request: "1s", connect: "2s" },
            thresholds: { servers: LOADED_MACHINE },
          },
          {},
        );
        const historyDir = mkdtempSync(join(dir, "history-"));
        const r = await runOnce(serversSlice, { config, history: new FileHistoryStore(historyDir) });
        // Logged in with the creds file: the server answered, nothing else is wrong.
        expect(r.perf.find((p) => p.name === "servers_answered")?.value).toBe(1);
        expect(r.findings.map((f) => [f.id, f.severity]).sort()).toEqual(c.want);
        const account = r.findings.find((f) => f.id === "monitor_account_expiring")!;
        expect([account.subject.account, account.values.server]).toEqual([
          trust.systemAccount,
          server.servers[0]!.name,
        ]);
        expect(account.summary).toContain("account SYS (");
        const secrets = secretsOf(creds);
        expect(secrets.length).toBe(2); // the JWT and the seed, so the scan below can fail
        const written = [JSON.stringify(r), ...filesUnder(historyDir)].join("\n");
        for (const s of secrets) expect(written.includes(s)).toBe(false);
      }
    });
  });
}
