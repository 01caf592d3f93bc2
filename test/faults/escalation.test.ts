// Issue 12, "an alert never resolves because things got worse", on real servers: a follower hangs
// (SIGSTOP: peer seen fires for the meta group and for each R3 stream), then is shut down cleanly
// (the servers mark it offline at once: META_001 and the stream offline-replica check fire), then
// a second server stops (the group and the streams lose quorum). Through all of that the peer-seen
// alerts stay open, saying the peer is offline; nothing resolves until the servers are back.
import { jetstreamManager } from "@nats-io/jetstream";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LookoutConfig } from "../../lib/config/config.ts";
import { buildConfig } from "../../lib/config/load.ts";
import type { Finding } from "../../lib/findings/finding.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import type { NoticeDocument } from "../../lib/notify/document.ts";
import { JsonLinesNotifier } from "../../lib/notify/jsonl.ts";
import type { RunReport } from "../../lib/run/run-slice.ts";
import { metaSlice } from "../../lib/slices/meta.ts";
import { streamsSlice } from "../../lib/slices/streams.ts";
import { NatsCluster, SYS_USER, waitFor } from "../../lib/testbed/cluster.ts";
import { runOnce } from "../harness/run.ts";
import { serversUnderTest } from "../../lib/testbed/servers.ts";

class Monitor {
  readonly dir = mkdtempSync(join(tmpdir(), "lookout-escalation-"));
  readonly noticesFile = join(this.dir, "notices.jsonl");
  readonly history = new FileHistoryStore(join(this.dir, "history"));
  readonly notifier = new JsonLinesNotifier(this.noticesFile);
  readonly config: LookoutConfig;
  constructor(cluster: NatsCluster) {
    this.config = buildConfig(
      {
        cluster: "escalation",
        nats: { servers: cluster.urls, user: SYS_USER.user, password: SYS_USER.password },
        thresholds: { meta: { peerSeenCritical: "3s" }, streams: { defaults: { "peer-seen-critical": "3s" } } },
        alerts: { resolveAfterRuns: 2 },
        timeouts: { request: "3s", connect: "2s" },
      },
      {},
    );
  }
  async run(): Promise<Finding[]> {
    const out: RunReport[] = [];
    for (const s of [metaSlice, streamsSlice])
      out.push(await runOnce(s, { config: this.config, history: this.history, notifiers: [this.notifier] }));
    return out.flatMap((r) => r.findings);
  }
  notices(): NoticeDocument[] {
    return existsSync(this.noticesFile)
      ? readFileSync(this.noticesFile, "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as NoticeDocument)
      : [];
  }
  of(state: string, id: string, peer: string): NoticeDocument[] {
    return this.notices().filter((n) => n.state === state && n.finding.id === id && n.finding.subject.peer === peer);
  }
  describe(): string {
    return this.notices()
      .map((x) => `${x.state} ${x.slice} ${x.fingerprint}: ${x.finding.summary}`)
      .join("\n");
  }
}

const STREAMS = ["E1", "E2"];

for (const binary of serversUnderTest()) {
  describe(`escalation on nats-server ${binary.version}`, () => {
    let cluster: NatsCluster;
    beforeAll(async () => {
      cluster = await NatsCluster.start({ binary });
      const app = await cluster.appConnection();
      const jsm = await jetstreamManager(app);
      for (const name of STREAMS)
        await jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`], num_replicas: 3 });
      await app.close();
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    it("keeps peer seen open from hung to offline to quorum lost, and resolves each alert once when the servers are back", async () => {
      const m = new Monitor(cluster);
      const leader = await cluster.waitForMetaLeader();
      const [victim, second] = cluster.servers.filter((s) => s.name !== leader);
      const peerSeen = (f: Finding[]) => ({
        meta: f.filter((x) => x.id === "meta_peer_seen" && x.subject.peer === victim!.name),
        streams: f.filter((x) => x.id === "stream_peer_seen" && x.subject.peer === victim!.name),
      });
      try {
        // 1. Hung: peer seen for the meta group and for every stream it follows.
        cluster.freeze(victim!.index);
        await waitFor(
          "peer seen for the hung server (meta and both streams)",
          async () => {
            const s = peerSeen(await m.run());
            return s.meta.length === 1 && s.streams.length === STREAMS.length ? true : undefined;
          },
          90_000,
          1000,
        ).catch((e: Error) => {
          throw new Error(`${e.message}; notices:\n${m.describe()}`);
        });

        // 2. Clean shutdown: the servers mark it offline at once.
        const stoppedAt = Date.now();
        await cluster.stopServer(victim!.index);
        const offline = await waitFor(
          "META_001 and the stream offline-replica findings",
          async () => {
            const f = await m.run();
            const metaOff = f.some((x) => x.code === "META_001" && x.subject.peer === victim!.name);
            const streamsOff = f.filter(
              (x) => x.id === "stream_replica_offline" && x.subject.peer === victim!.name,
            ).length;
            return metaOff && streamsOff === STREAMS.length ? f : undefined;
          },
          90_000,
          1000,
        ).catch((e: Error) => {
          throw new Error(`${e.message}; notices:\n${m.describe()}`);
        });
        console.log(
          `${binary.version}: offline (META_001 and ${STREAMS.length} stream replicas) seen ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after a clean shutdown`,
        );
        // Three more runs while offline: more than resolveAfterRuns, so a wrong "clear" would have resolved.
        for (const f of [offline, await m.run(), await m.run(), await m.run()]) {
          const s = peerSeen(f);
          expect(s.meta.map((x) => x.values.offline)).toEqual([true]);
          expect(s.meta[0]!.summary).toContain(`${victim!.name} is offline`);
          expect(s.streams.map((x) => x.values.offline)).toEqual(STREAMS.map(() => true));
        }

        // 3. A second server stops: no meta leader, streams without quorum.
        await cluster.stopServer(second!.index);
        await waitFor(
          "meta quorum lost",
          async () => ((await m.run()).some((x) => x.code === "META_006") ? true : undefined),
          60_000,
          1000,
        );
        for (let i = 0; i < 3; i++) await m.run();
        expect(m.notices().filter((n) => n.state === "resolved" && n.finding.subject.peer === victim!.name)).toEqual(
          [],
        );
      } finally {
        await cluster.restart(victim!.index);
        await cluster.restart(second!.index);
      }

      // 4. Back: every alert resolves, each once.
      await cluster.waitForMetaLeader(60_000);
      await waitFor(
        "the peer-seen and offline alerts resolved",
        async () => {
          await m.run();
          const done =
            ["meta_peer_seen", "meta_offline_replica"].every((id) => m.of("resolved", id, victim!.name).length === 1) &&
            ["stream_peer_seen", "stream_replica_offline"].every(
              (id) => m.of("resolved", id, victim!.name).length === STREAMS.length,
            );
          return done ? true : undefined;
        },
        120_000,
        1000,
      ).catch((e: Error) => {
        throw new Error(`${e.message}; notices:\n${m.describe()}`);
      });
      for (const id of ["meta_peer_seen", "meta_offline_replica"])
        expect(m.of("new", id, victim!.name)).toHaveLength(1);
      for (const id of ["stream_peer_seen", "stream_replica_offline"])
        expect(m.of("new", id, victim!.name)).toHaveLength(STREAMS.length);
      // The resolution came after the servers were back, not while the peer was offline.
      for (const n of m.of("resolved", "meta_peer_seen", victim!.name))
        expect(n.finding.summary).toContain("is offline");
    }, 480_000);
  });
}
