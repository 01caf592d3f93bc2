// Issue 12, part B, on real servers: what a hung (SIGSTOP) server hides from the streams slice.
// - System mode: an R1 stream on the hung server appears in no reply; it is named from its last
//   known placement (stream_quorum_lost, JETSTREAM_008), so a subscription by stream sees it.
// - Account mode: the meta leader fills STREAM.LIST by asking every stream leader and waits about
//   4 s for a silent one; with the 3 s request timeout every run went blind. It is now a listing
//   with the hung server's streams `missing` (stream_unavailable), not monitor_blind.
// - Account mode names the account without $SYS.REQ.USER.INFO (2.9), so account-scoped overrides
//   match; where the user may not ask anything of $SYS, a warning says they cannot apply.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectStreamsAccount } from "../../lib/collect/streams.ts";
import { buildConfig } from "../../lib/config/load.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import type { RunReport } from "../../lib/run/run-slice.ts";
import { streamsSlice } from "../../lib/slices/streams.ts";
import { NatsCluster, SYS_USER } from "../../lib/testbed/cluster.ts";
import { runOnce } from "../harness/run.ts";
import { serversUnderTest } from "../../lib/testbed/servers.ts";
import { addStream, publishTo } from "../streams/topology.ts";

const newHistory = () => new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-hung-")));
const NOSYS = { user: "appnosys", password: "nosys-secret" };
const NOUSERINFO = { user: "appnouserinfo", password: "nouserinfo-secret" };

for (const binary of serversUnderTest()) {
  describe(`a hung server's streams, nats-server ${binary.version}`, () => {
    let cluster: NatsCluster;
    let victim: string;
    beforeAll(async () => {
      cluster = await NatsCluster.start({
        binary,
        extraUsers: [
          {
            account: "APP",
            users: [
              `{ user: "${NOSYS.user}", password: "${NOSYS.password}", permissions: { publish: { deny: ["$SYS.>"] } } }`,
              `{ user: "${NOUSERINFO.user}", password: "${NOUSERINFO.password}", permissions: { publish: { deny: ["$SYS.REQ.USER.INFO"] } } }`,
            ],
          },
        ],
      });
      const app = await cluster.appConnection("APP");
      try {
        await addStream(app, { name: "ONE", subjects: ["one.>"], num_replicas: 1 });
        await addStream(app, { name: "THREE", subjects: ["three.>"], num_replicas: 3 });
        await publishTo(app, "one.1");
        const jsm = await jetstreamManager(app);
        victim = (await jsm.streams.info("ONE")).cluster!.leader!;
      } finally {
        await app.close();
      }
    });

    /**
     * The meta leader must stay up: it is the one that answers the listing. A server thawed after a
     * freeze may campaign at once and win the meta leadership, so this is checked before each freeze.
     */
    async function freezeVictim(): Promise<void> {
      for (let i = 0; i < 10 && (await cluster.waitForMetaLeader(60_000)) === victim; i++) await cluster.stepdownMeta();
      cluster.freeze(cluster.index(victim).index);
    }
    afterAll(async () => {
      await cluster?.stop();
    });

    const others = () => cluster.servers.filter((s) => s.name !== victim).map((s) => `nats://127.0.0.1:${s.port}`);
    const of = (r: RunReport, id: string) => r.findings.filter((f) => f.id === id);

    it("system mode: an R1 stream on a hung server is stream quorum lost, named from the last run that saw it", async () => {
      const config = buildConfig(
        {
          cluster: "hung",
          nats: { servers: others(), user: SYS_USER.user, password: SYS_USER.password },
          timeouts: { request: "1500ms", connect: "2s" },
        },
        {},
      );
      const history = newHistory();
      expect((await runOnce(streamsSlice, { config, history })).findings).toEqual([]);
      const v = cluster.index(victim);
      await freezeVictim();
      let r: RunReport;
      try {
        r = await runOnce(streamsSlice, { config, history });
      } finally {
        cluster.thaw(v.index);
      }
      const lost = of(r, "stream_quorum_lost").filter((f) => f.subject.stream === "ONE");
      expect(lost.map((f) => [f.code, f.severity, f.subject.account])).toEqual([["JETSTREAM_008", "critical", "APP"]]);
      expect(lost[0]!.summary).toContain(victim);
      expect(lost[0]!.values.from_history).toBe(true);
      await cluster.waitForMetaLeader(60_000);
    });

    it("account mode with the default 3 s request timeout: a hung stream leader is stream_unavailable, not a blind run", async () => {
      const config = buildConfig(
        {
          mode: "account",
          cluster: "hung",
          nats: { servers: others(), user: "app", password: "app-secret" },
          timeouts: { request: "3s", connect: "2s" },
        },
        {},
      );
      const v = cluster.index(victim);
      await freezeVictim();
      let r: RunReport;
      try {
        r = await runOnce(streamsSlice, { config, history: newHistory() });
      } finally {
        cluster.thaw(v.index);
      }
      expect(of(r, "monitor_blind")).toEqual([]);
      expect(r.status).not.toBe("unknown");
      expect(of(r, "stream_unavailable").map((f) => f.subject.stream)).toContain("ONE");
      await cluster.waitForMetaLeader(60_000);
    });

    it("account mode, a listing cut short by the run's deadline: the stream names from STREAM.NAMES, partial (not judged), not blind", async () => {
      const nc = await cluster.appConnection("APP", others());
      const v = cluster.index(victim);
      await freezeVictim();
      try {
        // The deadline leaves the listing only the 1 s request timeout, less than the server's 4 s wait.
        const snap = await collectStreamsAccount(nc, {
          timeoutMs: 1000,
          stats: newRequestStats(),
          deadline: Date.now(),
        });
        expect(snap.blind).toBeUndefined();
        expect(snap.streams.map((x) => `${x.name} led by ${x.leader ?? "?"}`)).toEqual([]);
        expect(snap.gaps.map((g) => [g.name, g.unavailable]).sort()).toEqual([
          ["ONE", false],
          ["THREE", false],
        ]);
        expect(snap.problems.join(" ")).toContain("STREAM.NAMES");
      } finally {
        cluster.thaw(v.index);
        await nc.close();
      }
      await cluster.waitForMetaLeader(60_000);
    });

    it("account mode names the account without $SYS.REQ.USER.INFO (2.9 has none; a user may be denied it), so an override for account APP matches", async () => {
      // Another account connected meanwhile: the account's STATZ must still name only the asker's.
      const other = await cluster.appConnection("OTHER");
      try {
        for (const u of [{ user: "app", password: "app-secret" }, NOUSERINFO]) {
          const config = buildConfig(
            {
              mode: "account",
              cluster: "hung",
              nats: { servers: others(), ...u },
              timeouts: { request: "3s", connect: "2s" },
              thresholds: {
                streams: { overrides: [{ account: "APP", stream: "ONE", values: { "msgs-critical": "1" } }] },
              },
            },
            {},
          );
          const r = await runOnce(streamsSlice, { config, history: newHistory() });
          expect(r.findings.map((f) => [f.id, f.subject.account, f.subject.stream])).toEqual([
            ["stream_messages", "APP", "ONE"],
          ]);
        }
      } finally {
        await other.close();
      }
    });

    it("account mode, a user denied everything under $SYS: a warning says the account-scoped overrides cannot apply", async () => {
      const config = buildConfig(
        {
          mode: "account",
          cluster: "hung",
          nats: { servers: others(), user: NOSYS.user, password: NOSYS.password },
          timeouts: { request: "3s", connect: "2s" },
          thresholds: { streams: { overrides: [{ account: "APP", stream: "ONE", values: { "msgs-critical": "1" } }] } },
        },
        {},
      );
      const r = await runOnce(streamsSlice, { config, history: newHistory() });
      const w = of(r, "threshold_invalid");
      expect(w.map((f) => [f.severity, f.subject.account, f.subject.stream])).toEqual([
        ["warning", "(this account)", undefined],
      ]);
      expect(w[0]!.summary).toContain('account "APP"');
      expect(of(r, "stream_messages")).toEqual([]);
    });
  });
}
