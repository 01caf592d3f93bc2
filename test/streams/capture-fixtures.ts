// Captures the real replies the streams fixture tests read: `npx tsx test/streams/capture-fixtures.ts [version...]`.
// Starts a 3-node hub (domain "hub") and a single-server leaf domain "edge" joined by leafnodes
// (APP through a TcpProxy, SYS direct), creates streams of every shape, and writes
// test/fixtures/streams-<scenario>-<version>.json for: a healthy cluster (JSZ, JSZ with
// stream_leader_only, STREAM.LIST), the APP leaf link cut while the source keeps growing, and
// 2 of 3 hub servers stopped (leaderless streams).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { StreamConfig } from "@nats-io/jetstream";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { sleep, waitFor } from "../../lib/testbed/cluster.ts";
import { installedServers, projectRoot } from "../../lib/testbed/servers.ts";
import { addStream, publishTo, startHubAndEdge } from "./topology.ts";

const JSZ = { accounts: true, streams: true, config: true };

async function jsz(
  sys: NatsConnection,
  body: object,
  expected: number,
): Promise<{ replies: unknown[]; bytes: number; decoded: number }> {
  const h = headers();
  h.set("Accept-Encoding", "gzip");
  const it = await sys.requestMany("$SYS.REQ.SERVER.PING.JSZ", JSON.stringify(body), {
    strategy: "timer",
    maxWait: 3000,
    headers: h,
  });
  const replies: unknown[] = [];
  let bytes = 0;
  let decoded = 0;
  for await (const m of it) {
    bytes += m.data.length;
    const raw = m.headers?.get("Content-Encoding") === "gzip" ? gunzipSync(m.data) : m.data;
    decoded += raw.length;
    replies.push(JSON.parse(Buffer.from(raw).toString("utf8")));
    if (replies.length >= expected) break;
  }
  return { replies, bytes, decoded };
}

function save(name: string, version: string, doc: object): void {
  const file = join(projectRoot, "test", "fixtures", `streams-${name}-${version}.json`);
  writeFileSync(file, JSON.stringify({ version, captured: new Date().toISOString(), ...doc }, null, 1) + "\n");
  console.log("wrote", file);
}

async function capture(version: string): Promise<void> {
  const binary = installedServers().find((b) => b.version === version);
  if (!binary) throw new Error(`nats-server ${version} not cached`);
  const t = await startHubAndEdge(binary);
  const sys = await t.hub.sysConnection();
  try {
    const app = await t.hub.appConnection("APP");
    const edgeApp = await t.edge.appConnection("APP");
    const other = await t.hub.appConnection("OTHER");
    const metadata = binary.hasMetadata
      ? { "io.nats.monitor.peer-seen-critical": "5s", "io.nats.monitor.lag-critical": "100" }
      : undefined;
    const cfgs: [NatsConnection, Partial<StreamConfig> & { name: string }][] = [
      [edgeApp, { name: "SRC", subjects: ["src.>"], num_replicas: 1 }],
      [app, { name: "ORDERS", subjects: ["orders.>"], num_replicas: 3, ...(metadata ? { metadata } : {}) }],
      [app, { name: "ONE", subjects: ["one.>"], num_replicas: 1 }],
      [app, { name: "TWO", subjects: ["two.>"], num_replicas: 2 }],
      [app, { name: "BACKUP", num_replicas: 3, mirror: { name: "ORDERS" } }],
      [app, { name: "AGG", num_replicas: 1, sources: [{ name: "ORDERS" }, { name: "ONE" }] }],
      [
        app,
        {
          name: "EDGEMIRROR",
          num_replicas: 3,
          mirror: { name: "SRC", external: { api: "$JS.edge.API", deliver: "" } },
        },
      ],
      [app, { name: "NOSRC", num_replicas: 1, mirror: { name: "DOES_NOT_EXIST" } }],
      [other, { name: "PAY", subjects: ["pay.>"], num_replicas: 3 }],
    ];
    for (const [nc, cfg] of cfgs) await addStream(nc, cfg);
    for (let i = 0; i < 10; i++) await publishTo(app, `orders.${i}`);
    await publishTo(app, "one.a");
    for (let i = 0; i < 5; i++) await publishTo(edgeApp, "src.a");
    await waitFor(
      "mirrors caught up",
      async () => {
        const r = await jsz(sys, JSZ, 4);
        const leaders = r.replies.flatMap((x) =>
          (
            (
              x as {
                data?: {
                  account_details?: {
                    stream_detail?: { name: string; cluster?: { leader?: string }; state?: { last_seq?: number } }[];
                  }[];
                };
                server: { name: string };
              }
            ).data?.account_details ?? []
          ).flatMap((a) =>
            (a.stream_detail ?? []).filter(
              (s) => s.cluster?.leader === (x as { server: { name: string } }).server.name,
            ),
          ),
        );
        const seq = (n: string) => leaders.find((s) => s.name === n)?.state?.last_seq;
        return seq("BACKUP") === 10 && seq("EDGEMIRROR") === 5 && seq("AGG") === 11 ? true : undefined;
      },
      30_000,
      500,
    );

    const full = await jsz(sys, JSZ, 4);
    const leaderOnly = await jsz(sys, { ...JSZ, stream_leader_only: true }, 4);
    const list: unknown = JSON.parse(
      (await app.request("$JS.API.STREAM.LIST", JSON.stringify({ offset: 0 }), { timeout: 8000 })).string(),
    );
    save("healthy", version, {
      note: "hub domain (3 servers) + edge domain (1 server, SYS and APP joined by leafnodes); JSZ {accounts,streams,config}",
      bytes: {
        full: full.bytes,
        fullDecoded: full.decoded,
        leaderOnly: leaderOnly.bytes,
        leaderOnlyDecoded: leaderOnly.decoded,
      },
      jsz: full.replies,
      jszStreamLeaderOnly: leaderOnly.replies,
      streamList: list,
    });

    // The APP leaf link cut: the mirror stalls at lag 0 while its source keeps taking messages.
    t.appLink.cut();
    for (let i = 0; i < 3; i++) await publishTo(edgeApp, "src.b", "y");
    await sleep(6000);
    const cut = await jsz(sys, JSZ, 4);
    save("mirror-cut", version, {
      note: "APP leafnode link to edge cut ~6 s earlier; SRC advanced 5 -> 8 meanwhile",
      jsz: cut.replies,
    });
    t.appLink.restore();

    // Two of three hub servers stopped: streams with peers on them lose their leader.
    await t.hub.stopServer(1);
    await t.hub.stopServer(2);
    await sleep(20_000);
    const sys2 = await t.hub.sysConnection([t.hub.url(0)]);
    try {
      const down = await jsz(sys2, JSZ, 2);
      save("two-down", version, {
        note: `hub servers ${t.hub.servers[1]!.name} and ${t.hub.servers[2]!.name} stopped 20 s earlier`,
        jsz: down.replies,
      });
    } finally {
      await sys2.close();
    }
    for (const nc of [app, edgeApp, other]) await nc.close().catch(() => undefined);
  } finally {
    await sys.close().catch(() => undefined);
    await t.stop();
  }
}

const versions = process.argv.slice(2);
for (const v of versions.length ? versions : ["2.10.27", "2.15.1"]) await capture(v);
