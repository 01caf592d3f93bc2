// Captures what a mirror's new stream leader reports in its first moments (issue 12, "a transient
// mirror never heard from after a mirror's leader moves"): `npx tsx test/streams/capture-mirror-leader.ts [version...]`.
// A 3-server cluster with SRC (R3) and its mirror BK (R3) led by the same server; that server is
// frozen (SIGSTOP), and the JSZ replies of the two others are polled until BK's new leader answers.
// The first replies in which the new leader reports BK's mirror `active: -1` are written to
// test/fixtures/streams-mirror-new-leader-<version>.json, with how long the -1 lasted.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import type { JszWire, SysEnvelope } from "../../lib/nats/wire.ts";
import { NatsCluster, sleep, waitFor } from "../../lib/testbed/cluster.ts";
import { installedServers, projectRoot } from "../../lib/testbed/servers.ts";
import { addStream, publishTo } from "./topology.ts";

type Env = SysEnvelope<JszWire>;

async function jsz(sys: NatsConnection, expected: number, maxWait = 600): Promise<Env[]> {
  const h = headers();
  h.set("Accept-Encoding", "gzip");
  const it = await sys.requestMany(
    "$SYS.REQ.SERVER.PING.JSZ",
    JSON.stringify({ accounts: true, streams: true, config: true }),
    { strategy: "timer", maxWait, headers: h },
  );
  const out: Env[] = [];
  for await (const m of it) {
    const raw = m.headers?.get("Content-Encoding") === "gzip" ? gunzipSync(m.data) : m.data;
    out.push(JSON.parse(Buffer.from(raw).toString("utf8")) as Env);
    if (out.length >= expected) break;
  }
  return out;
}

/** BK's entry from the server that leads it, if one of these replies does. */
function ledEntry(replies: Env[], name: string) {
  for (const r of replies) {
    for (const a of r.data?.account_details ?? []) {
      for (const d of a.stream_detail ?? []) if (d.name === name && d.cluster?.leader === r.server.name) return d;
    }
  }
  return undefined;
}

const want = process.argv.slice(2);
for (const binary of installedServers().filter((b) => !want.length || want.includes(b.version))) {
  const c = await NatsCluster.start({ binary });
  try {
    const app = await c.appConnection("APP");
    await addStream(app, { name: "SRC", subjects: ["src.>"], num_replicas: 3 });
    await addStream(app, { name: "BK", mirror: { name: "SRC" }, num_replicas: 3 });
    for (let i = 0; i < 3; i++) await publishTo(app, "src.a");
    let saved = false;
    for (let attempt = 1; attempt <= 8 && !saved; attempt++) {
      const sys = await c.sysConnection();
      const both = await waitFor(
        "SRC and BK led by one server, BK's mirror active",
        async () => {
          const r = await jsz(sys, 3);
          const src = ledEntry(r, "SRC");
          const bk = ledEntry(r, "BK");
          if (!src || !bk || Number(bk.mirror?.active ?? -1) < 0) return undefined;
          if (src.cluster?.leader === bk.cluster?.leader) return bk.cluster!.leader!;
          await app.request("$JS.API.STREAM.LEADER.STEPDOWN.SRC", "", { timeout: 5000 }).catch(() => undefined);
          await sleep(2000);
          return undefined;
        },
        120_000,
        300,
      );
      await sys.close();
      const victim = c.index(both);
      const live = c.servers.filter((s) => s !== victim);
      const sys2 = await c.sysConnection(live.map((s) => `nats://127.0.0.1:${s.port}`));
      c.freeze(victim.index);
      const frozenAt = Date.now();
      let first: { replies: Env[]; at: number } | undefined;
      let activeAt: number | undefined;
      let newLeaderAt: number | undefined;
      try {
        while (Date.now() - frozenAt < 45_000) {
          const r = await jsz(sys2, live.length, 400);
          const bk = ledEntry(r, "BK");
          if (bk && bk.cluster?.leader !== victim.name) {
            newLeaderAt ??= Date.now();
            if (Number(bk.mirror?.active ?? -1) < 0) first ??= { replies: r, at: Date.now() };
            else {
              activeAt = Date.now();
              break;
            }
          }
          await sleep(30);
        }
      } finally {
        c.thaw(victim.index);
        await sys2.close();
      }
      console.log(
        `${binary.version} attempt ${attempt}: new leader seen ${newLeaderAt ? newLeaderAt - frozenAt : "-"} ms after the freeze; mirror active -1 ${first ? `from ${first.at - frozenAt} ms` : "never seen"}; active at ${activeAt ? activeAt - frozenAt : "-"} ms`,
      );
      if (first && activeAt) {
        const file = join(projectRoot, "test", "fixtures", `streams-mirror-new-leader-${binary.version}.json`);
        writeFileSync(
          file,
          JSON.stringify(
            {
              version: binary.version,
              captured: new Date(first.at).toISOString(),
              frozen: victim.name,
              newLeaderSeenAfterMs: newLeaderAt! - frozenAt,
              unheardForMs: activeAt - first.at,
              jsz: first.replies,
            },
            null,
            1,
          ) + "\n",
        );
        console.log("wrote", file);
        saved = true;
      }
      await c.waitForMetaLeader(60_000);
    }
    await app.close();
  } finally {
    await c.stop();
  }
}
