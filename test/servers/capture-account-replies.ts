// Captures the real replies the per-account fixture tests read:
// `npx tsx test/servers/capture-account-replies.ts [version...]`. For each server line it writes
// test/fixtures/servers/accounts-<version>.json with two captures: a 3-server cluster after one real
// slow consumer in account APP on its first server (VARZ and ACCOUNT STATZ with `include_unused`),
// and one server in operator mode whose system account's JWT expires in 2 days (VARZ and ACCOUNTZ for
// that account; the JWT itself is left out, only its decoded claims are kept).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { sysFanout } from "../../lib/nats/fanout.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import { NatsCluster } from "../../lib/testbed/cluster.ts";
import { operatorTrust } from "../../lib/testbed/operator.ts";
import { installedServers, projectRoot } from "../../lib/testbed/servers.ts";
import { produceSlowConsumer } from "../../lib/testbed/slow-consumer.ts";

const ask = async (nc: NatsConnection, subject: string, body: object, n: number) => {
  const stats = newRequestStats();
  const r = await sysFanout(nc, subject, body, { timeoutMs: 3000, stats, expected: () => n });
  return { replies: r.replies, bytes: stats.bytesReceived, decoded: stats.bytesDecoded };
};

const withoutJwt = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(withoutJwt)
    : v && typeof v === "object"
      ? Object.fromEntries(Object.entries(v).flatMap(([k, x]) => (k === "jwt" ? [] : [[k, withoutJwt(x)]])))
      : v;

async function slowConsumerCluster(binary: ReturnType<typeof installedServers>[number]) {
  const cluster = await NatsCluster.start({ binary, extraConfig: 'max_pending: 1MB\nwrite_deadline: "2s"' });
  try {
    const s = cluster.servers[0]!;
    const app = cluster.account("APP");
    const publisher = await cluster.appConnection("APP", [cluster.url(0)]);
    const o = { port: s.port, monitorPort: s.monitorPort, user: app.user, password: app.password };
    await produceSlowConsumer({ ...o, subject: "slow.x", publisher });
    await publisher.close();
    const sys = await cluster.sysConnection();
    const varz = await ask(sys, "$SYS.REQ.SERVER.PING.VARZ", {}, 3);
    const statz = await ask(sys, "$SYS.REQ.ACCOUNT.PING.STATZ", { include_unused: true }, 3);
    await sys.close();
    console.log(`${binary.version} ACCOUNT STATZ, 3 servers: ${statz.bytes} B received, ${statz.decoded} B decoded`);
    return { VARZ: varz.replies, ACCOUNT_STATZ: statz.replies };
  } finally {
    await cluster.stop();
  }
}

async function operatorServer(binary: ReturnType<typeof installedServers>[number]) {
  const trust = await operatorTrust({ systemAccountExpiresAt: Date.now() + 2 * 86_400_000 });
  const server = await NatsCluster.start({ binary, size: 1, authConfig: trust.config });
  const dir = mkdtempSync(join(tmpdir(), "lookout-capture-"));
  try {
    const creds = join(dir, "sys.creds");
    await trust.writeSystemUserCreds(creds);
    const nc = await connect({ servers: server.urls, authenticator: credsAuthenticator(readFileSync(creds)) });
    const varz = await ask(nc, "$SYS.REQ.SERVER.PING.VARZ", {}, 1);
    const accountz = await ask(nc, "$SYS.REQ.SERVER.PING.ACCOUNTZ", { account: trust.systemAccount }, 1);
    await nc.close();
    console.log(`${binary.version} ACCOUNTZ, 1 server: ${accountz.bytes} B received, ${accountz.decoded} B decoded`);
    return { account: trust.systemAccount, VARZ: varz.replies, ACCOUNTZ: withoutJwt(accountz.replies) };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const wanted = process.argv.slice(2);
for (const binary of installedServers().filter((b) => !wanted.length || wanted.includes(b.version))) {
  const capture = { cluster: await slowConsumerCluster(binary), operator: await operatorServer(binary) };
  const file = join(projectRoot, "test", "fixtures", "servers", `accounts-${binary.version}.json`);
  writeFileSync(file, JSON.stringify(capture, null, 1) + "\n");
  console.log(`wrote ${file}`);
}
