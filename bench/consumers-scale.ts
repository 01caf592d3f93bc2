// A first measurement of the consumers slice at a few hundred consumers (run by hand; not yet part
// of `npm run bench`): one JSZ fan-out against CONSUMER.INFO per consumer on the same cluster, and
// the history document one run leaves. Usage: npx tsx bench/consumers-scale.ts [streams] [version]
import { gzipSync } from "node:zlib";
import { AckPolicy, jetstreamManager } from "@nats-io/jetstream";
import { judgeConsumers } from "../lib/checks/consumers/judge.ts";
import { collectConsumersSystem } from "../lib/collect/consumers-jsz.ts";
import { newRequestStats } from "../lib/nats/stats.ts";
import { NatsCluster } from "../lib/testbed/cluster.ts";
import { installedServers } from "../lib/testbed/servers.ts";
import { DEFAULT_CONSUMER_THRESHOLDS } from "../lib/thresholds/consumer-keys.ts";

const streams = Number(process.argv[2] ?? 100);
const version = process.argv[3] ?? "2.15.1";
const binary = installedServers().find((b) => b.version === version);
if (!binary) throw new Error(`no nats-server ${version} cached`);
const c = await NatsCluster.start({ binary });
try {
  const app = await c.appConnection("APP");
  const sys = await c.sysConnection();
  const jsm = await jetstreamManager(app);
  for (let i = 0; i < streams; i++) {
    for (let tries = 0; ; tries++) {
      try {
        await jsm.streams.add({ name: `S${i}`, subjects: [`s${i}.>`], num_replicas: i % 2 ? 3 : 1 });
        break;
      } catch (e) {
        if (tries > 60) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    for (let k = 0; k < 4; k++)
      await jsm.consumers.add(`S${i}`, {
        durable_name: `C${k}`,
        ack_policy: AckPolicy.Explicit,
        num_replicas: k % 2 ? 1 : 0,
      });
    if (i % 3 === 0) app.publish(`s${i}.x`, "x");
  }
  await app.flush();
  await new Promise((r) => setTimeout(r, 2000));
  const rounds = 3;
  for (let round = 0; round < rounds; round++) {
    const stats = newRequestStats();
    const t0 = performance.now();
    const snap = await collectConsumersSystem(sys, {
      timeoutMs: 5000,
      stats,
      knownServers: c.servers.map((s) => s.name),
    });
    const fanMs = performance.now() - t0;
    const t1 = performance.now();
    let naiveBytes = 0;
    for (let i = 0; i < streams; i++) {
      for (let k = 0; k < 4; k++) {
        const m = await app.request(`$JS.API.CONSUMER.INFO.S${i}.C${k}`, "", { timeout: 5000 });
        naiveBytes += m.data.length;
      }
    }
    const naiveMs = performance.now() - t1;
    const j = judgeConsumers(snap, undefined, DEFAULT_CONSUMER_THRESHOLDS);
    const doc = JSON.stringify(j.observation);
    console.log(
      JSON.stringify({
        version,
        streams,
        consumers: snap.consumers.length,
        findings: j.findings.length,
        fanout: {
          requests: stats.requests,
          bytes_gzip: stats.bytesReceived,
          bytes_json: stats.bytesDecoded,
          ms: Math.round(fanMs),
        },
        naive: { requests: streams * 4, bytes: naiveBytes, ms: Math.round(naiveMs) },
        history: { json: doc.length, gzip: gzipSync(doc).length },
      }),
    );
  }
  await app.close();
  await sys.close();
} finally {
  await c.stop();
}
