// The README's first command: a throwaway local 3-node JetStream cluster, nats-lookout watching it,
// one server frozen (SIGSTOP: a hung process that still holds its sockets), the alerts appearing,
// the server thawed, the alerts resolving. Everything runs on 127.0.0.1 and is stopped by PID.
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AckPolicy, jetstreamManager } from "@nats-io/jetstream";
import { NatsCluster, SYS_USER, waitFor } from "../lib/testbed/cluster.ts";
import { newestServer } from "../lib/testbed/servers.ts";
import { buildConfig } from "../lib/config/load.ts";
import { runWatch } from "../lib/cli/watch.ts";
import type { NoticeDocument } from "../lib/notify/document.ts";

const say = (s: string) => process.stdout.write(`\n\x1b[1m== ${s}\x1b[0m\n`);

const binary = newestServer();
say(`starting a 3-node JetStream cluster (nats-server ${binary.version}) on 127.0.0.1`);
const cluster = await NatsCluster.start({ binary, clusterName: "demo" });
const work = mkdtempSync(join(tmpdir(), "lookout-demo-"));
const noticesFile = join(work, "notices.jsonl");
const stop = new AbortController();
let watching: Promise<void> | undefined;

async function main(): Promise<void> {
  const app = await cluster.appConnection();
  const jsm = await jetstreamManager(app);
  for (const name of ["ORDERS", "PAYMENTS", "AUDIT"]) {
    await jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`], num_replicas: 3 });
  }
  await jsm.consumers.add("ORDERS", { durable_name: "SHIPPING", ack_policy: AckPolicy.Explicit });
  await app.close();
  say(
    `streams ORDERS, PAYMENTS, AUDIT (R3) and consumer ORDERS > SHIPPING created; servers ${cluster.servers.map((s) => s.name).join(", ")}`,
  );

  const config = buildConfig(
    {
      cluster: "demo",
      nats: { servers: cluster.urls, user: SYS_USER.user, password: SYS_USER.password },
      slices: { meta: { every: "2s" }, streams: { every: "2s" }, consumers: { every: "2s" }, servers: { every: "2s" } },
      thresholds: {
        meta: { "peer-seen-critical": "5s" },
        streams: { defaults: { "peer-seen-critical": "5s" } },
        consumers: { defaults: { "peer-seen-critical": "5s" } },
      },
      alerts: { resolveAfterRuns: 2 },
      timeouts: { request: "1s", connect: "2s" },
      history: { kind: "file", dir: join(work, "history") },
      notify: [{ kind: "terminal" }, { kind: "jsonl", file: noticesFile }],
    },
    {},
  );
  say(
    "lookout watch: meta, streams, consumers and servers every 2s; peer-seen thresholds 5s (the terminal notifier prints only changes)",
  );
  watching = runWatch(config, { verbose: true, signal: stop.signal });

  const notices = (): NoticeDocument[] =>
    existsSync(noticesFile)
      ? readFileSync(noticesFile, "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as NoticeDocument)
      : [];
  await new Promise((r) => setTimeout(r, 6000));

  const leader = await cluster.waitForMetaLeader();
  const victim = cluster.servers.find((s) => s.name !== leader)!;
  say(`freezing ${victim.name} (kill -STOP ${victim.proc?.pid}): it keeps its sockets open but answers nothing`);
  cluster.freeze(victim.index);
  await waitFor(
    "the alert to appear",
    () => (notices().some((n) => n.state === "new" && n.finding.severity === "critical") ? true : undefined),
    60_000,
    500,
  );
  await new Promise((r) => setTimeout(r, 4000));

  say(`thawing ${victim.name} (kill -CONT ${victim.proc?.pid})`);
  cluster.thaw(victim.index);
  await waitFor(
    "every alert to resolve",
    () => {
      const all = notices();
      const opened = new Set(all.filter((n) => n.state === "new").map((n) => n.fingerprint));
      const closed = new Set(all.filter((n) => n.state === "resolved").map((n) => n.fingerprint));
      return opened.size > 0 && [...opened].every((f) => closed.has(f)) ? true : undefined;
    },
    90_000,
    500,
  );
  const all = notices();
  say(
    `done: ${all.filter((n) => n.state === "new").length} alert(s) raised and ${all.filter((n) => n.state === "resolved").length} resolved`,
  );
}

try {
  await main();
} catch (e) {
  process.stderr.write(`demo failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
} finally {
  stop.abort();
  await watching?.catch(() => undefined);
  await cluster.stop();
  rmSync(work, { recursive: true, force: true });
}
