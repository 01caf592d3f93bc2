// Exploration (run by hand with tsx): what JSZ with `consumer: true` reports for consumers whose Raft
// leader differs from their stream's leader, with and without `stream_leader_only`, and the bytes.
// Usage: npx tsx test/consumers/explore.ts <version>
import { AckPolicy, jetstreamManager } from "@nats-io/jetstream";
import { gzipSync } from "node:zlib";
import { NatsCluster, sleep } from "../../lib/testbed/cluster.ts";
import { installedServers } from "../../lib/testbed/servers.ts";
import { addStream } from "../streams/topology.ts";

const version = process.argv[2] ?? "2.15.1";
const binary = installedServers().find((b) => b.version === version)!;
const c = await NatsCluster.start({ binary });
try {
  const app = await c.appConnection("APP");
  const sys = await c.sysConnection();
  await addStream(app, { name: "S3", subjects: ["s3.>"], num_replicas: 3 });
  const jsm = await jetstreamManager(app);
  for (let i = 0; i < 6; i++) await jsm.consumers.add("S3", { durable_name: `C${i}`, ack_policy: AckPolicy.Explicit });
  await jsm.consumers.add("S3", { durable_name: "R1C", ack_policy: AckPolicy.Explicit, num_replicas: 1 });
  for (let i = 0; i < 10; i++) app.publish(`s3.${i}`);
  await app.flush();
  await sleep(1500);
  // Move some consumer leaders away from the stream leader.
  for (let i = 0; i < 6; i += 2)
    await app.request(`$JS.API.CONSUMER.LEADER.STEPDOWN.S3.C${i}`, "", { timeout: 3000 }).catch(() => undefined);
  await sleep(3000);
  const ask = async (body: Record<string, unknown>) => {
    const iter = await sys.requestMany("$SYS.REQ.SERVER.PING.JSZ", JSON.stringify(body), {
      strategy: "timer",
      maxWait: 1500,
    });
    const out: unknown[] = [];
    for await (const m of iter) out.push(m.json());
    return out as {
      server: { name: string };
      data: {
        account_details?: {
          name: string;
          stream_detail?: { name: string; cluster?: { leader?: string }; consumer_detail?: unknown[] }[];
        }[];
      };
    }[];
  };
  for (const slo of [false, true]) {
    const body = {
      accounts: true,
      streams: true,
      consumer: true,
      config: true,
      ...(slo ? { stream_leader_only: true } : {}),
    };
    const r = await ask(body);
    const bytes = JSON.stringify(r).length;
    console.log(
      `\n=== stream_leader_only=${slo}: ${r.length} replies, ${bytes} bytes JSON, ${gzipSync(JSON.stringify(r)).length} gzip`,
    );
    for (const e of r) {
      for (const a of e.data.account_details ?? [])
        for (const s of a.stream_detail ?? []) {
          console.log(
            `${e.server.name} ${a.name}/${s.name} stream leader=${s.cluster?.leader} consumers=${s.consumer_detail?.length ?? 0}`,
          );
          for (const cd of (s.consumer_detail ?? []) as Record<string, unknown>[]) {
            const cl = cd.cluster as { leader?: string; replicas?: unknown[] } | undefined;
            console.log(
              `   ${String(cd.name)} leader=${cl?.leader} replicas=${JSON.stringify(cl?.replicas)} delivered=${JSON.stringify(cd.delivered)} ack_floor=${JSON.stringify(cd.ack_floor)} pending=${String(cd.num_pending)} ackp=${String(cd.num_ack_pending)} keys=${Object.keys(cd).join(",")}`,
            );
          }
        }
    }
    if (!slo)
      console.log(
        JSON.stringify((r[0]!.data.account_details![0]!.stream_detail![0]!.consumer_detail ?? [])[0], null, 1),
      );
  }
  // without config
  const nc = await ask({ accounts: true, streams: true, consumer: true, stream_leader_only: true });
  console.log(`no config, slo: ${JSON.stringify(nc).length} bytes`);
  await app.close();
  await sys.close();
} finally {
  await c.stop();
}
