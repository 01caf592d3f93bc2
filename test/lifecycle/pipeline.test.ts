// The alert lifecycle proved on the real pipeline (lib/run/run-slice.ts) with real history stores
// (a folder, and DynamoDB on moto_server) and the real JSON-lines notifier: a slice whose findings
// the test sets stands in for a cluster, and the clock is the test's.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { buildConfig } from "../../lib/config/load.ts";
import type { LookoutConfig } from "../../lib/config/config.ts";
import { DynamoHistoryStore } from "../../lib/history/dynamodb-store.ts";
import { createHistoryTable } from "../../lib/history/dynamodb-table.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import type { HistoryStore } from "../../lib/history/store.ts";
import { JsonLinesNotifier } from "../../lib/notify/jsonl.ts";
import type { Notifier } from "../../lib/notify/notifier.ts";
import { historyKeyFor, runSlice, type RunReport } from "../../lib/run/run-slice.ts";
import { MotoServer } from "../../lib/testbed/moto.ts";
import { projectRoot } from "../../lib/testbed/servers.ts";
import type { CrashChildArgs } from "./crash-child.ts";
import { GatedNotifier, noConnection, peerSeen, received, scriptedSlice, type Script } from "./scripted-slice.ts";

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const MIN = 60_000;
const TABLE = "lookout-lifecycle";

let moto: MotoServer;
const root = mkdtempSync(join(tmpdir(), "lookout-lifecycle-"));
beforeAll(async () => {
  moto = await MotoServer.start();
  const c = new DynamoDBClient({ endpoint: moto.endpoint, region: moto.env.region, credentials: moto.env.credentials });
  await createHistoryTable(c, TABLE);
  c.destroy();
});
afterAll(async () => {
  await moto?.stop();
  rmSync(root, { recursive: true, force: true });
});

interface StoreKind {
  name: "file" | "dynamodb";
  /** A new handle on the shared storage (as another process would have). */
  open(): HistoryStore;
  child(): CrashChildArgs["store"];
}
const fileDir = join(root, "history");
const STORES: StoreKind[] = [
  { name: "file", open: () => new FileHistoryStore(fileDir), child: () => ({ kind: "file", dir: fileDir }) },
  {
    name: "dynamodb",
    open: () =>
      new DynamoHistoryStore({
        table: TABLE,
        ttlDays: 1,
        clientConfig: { endpoint: moto.endpoint, region: moto.env.region, credentials: moto.env.credentials },
      }),
    child: () => ({ kind: "dynamodb", table: TABLE, endpoint: moto.endpoint }),
  },
];

let worlds = 0;
/** One monitored "cluster": its own history key, notice file, script and clock. */
class World {
  readonly cluster = `lifecycle-${++worlds}`;
  readonly file = join(root, `${this.cluster}.jsonl`);
  readonly script: Script = { findings: [], covers: () => true };
  t = T0;
  readonly config: LookoutConfig;
  readonly store: HistoryStore;
  constructor(
    readonly kind: StoreKind,
    alerts: Record<string, unknown> = {},
  ) {
    this.config = buildConfig(
      { cluster: this.cluster, alerts: { remindAfter: "1h", resolveAfterRuns: 2, claimLease: "5m", ...alerts } },
      {},
    );
    this.store = kind.open();
  }
  notifier(): Notifier {
    return new JsonLinesNotifier(this.file);
  }
  run(o: { notifiers?: Notifier[]; store?: HistoryStore; at?: number } = {}): Promise<RunReport> {
    if (o.at !== undefined) this.t = o.at;
    const t = this.t;
    return runSlice(scriptedSlice(this.script), {
      config: this.config,
      history: o.store ?? this.store,
      notifiers: o.notifiers ?? [this.notifier()],
      connection: noConnection,
      now: () => t,
    });
  }
  kinds(): string[] {
    return received(this.file).map((d) => `${d.state}:${d.finding.subject.peer}`);
  }
  async stored() {
    return this.store.load<{ runs: number }>(historyKeyFor(this.config, "meta"));
  }
}

for (const kind of STORES) {
  describe(`alert lifecycle on the real pipeline, ${kind.name} history`, () => {
    it("notifies a new alert once, stays quiet while it fires, and notifies its resolution once, with how long it lasted", async () => {
      const w = new World(kind);
      w.script.findings = [peerSeen("n2")];
      const r1 = await w.run();
      expect(r1.findings.map((f) => f.state)).toEqual(["new"]);
      expect(r1.notices.sent.map((n) => n.kind)).toEqual(["new"]);
      const r2 = await w.run({ at: T0 + MIN });
      expect(r2.findings.map((f) => f.state)).toEqual(["firing"]);
      expect(r2.notices.sent).toEqual([]);

      w.script.findings = [];
      const r3 = await w.run({ at: T0 + 2 * MIN });
      expect(r3.resolved).toEqual([]); // one clear run is not enough (flicker rule)
      const r4 = await w.run({ at: T0 + 3 * MIN });
      expect(r4.resolved.map((a) => a.finding.subject.peer)).toEqual(["n2"]);
      for (let i = 4; i < 7; i++) await w.run({ at: T0 + i * MIN });

      expect(w.kinds()).toEqual(["new:n2", "resolved:n2"]);
      const resolved = received(w.file)[1]!;
      expect(resolved.duration_ms).toBe(2 * MIN); // first seen to the first run that no longer saw it
      expect(resolved.first_seen).toBe(new Date(T0).toISOString());
      const h = await w.stored();
      expect(h?.doc.book.outbox).toEqual([]);
      expect(h?.doc.book.alerts).toEqual({});
      expect(h?.doc.observations).toEqual({ runs: 7 });
    });

    it("leaves a notice pending when its notifier fails, and sends it on the next run", async () => {
      const w = new World(kind);
      mkdirSync(w.file); // a directory where the notice file should be: appending fails for real (EISDIR)
      w.script.findings = [peerSeen("n2")];
      const r1 = await w.run();
      expect(r1.notices.sent).toEqual([]);
      expect(r1.notices.failed).toBe(1);
      expect(r1.notices.pending).toBe(1);
      expect(r1.errors.join()).toMatch(/not delivered, kept for the next run/);
      expect((await w.stored())?.doc.book.outbox.map((n) => [n.kind, n.attempts])).toEqual([["new", 1]]);

      rmSync(w.file, { recursive: true });
      const r2 = await w.run({ at: T0 + MIN });
      expect(r2.errors).toEqual([]);
      expect(r2.notices.sent.map((n) => n.kind)).toEqual(["new"]);
      await w.run({ at: T0 + 2 * MIN });
      const docs = received(w.file);
      expect(docs.map((d) => d.state)).toEqual(["new"]);
      expect(docs[0]!.at).toBe(new Date(T0).toISOString()); // the transition's time, not the delivery's
    });

    it("with two notifiers and one failing, the next run sends only to the one that missed it", async () => {
      const w = new World(kind);
      const other = join(root, `${w.cluster}-other.jsonl`);
      mkdirSync(other);
      w.script.findings = [peerSeen("n3")];
      const both = () => [w.notifier(), new JsonLinesNotifier(other)];
      const r1 = await w.run({ notifiers: both() });
      expect(r1.notices.pending).toBe(1);
      rmSync(other, { recursive: true });
      const r2 = await w.run({ notifiers: both(), at: T0 + MIN });
      expect(r2.notices.sent).toHaveLength(1);
      await w.run({ notifiers: both(), at: T0 + 2 * MIN });
      expect(w.kinds()).toEqual(["new:n3"]);
      expect(received(other).map((d) => d.state)).toEqual(["new"]);
      expect((await w.stored())?.doc.book.outbox).toEqual([]);
    });

    it("notifies once when two runs of the slice start together with a slow notifier", async () => {
      const w = new World(kind);
      w.script.findings = [peerSeen("n2")];
      const gate = new GatedNotifier(w.file);
      const runs = Promise.all([
        w.run({ notifiers: [gate], store: kind.open() }),
        w.run({ notifiers: [gate], store: kind.open() }),
      ]);
      await gate.waitUntilEntered();
      gate.openGate();
      const [a, b] = await runs;
      expect(gate.entered).toBe(1);
      expect(a.notices.sent.length + b.notices.sent.length).toBe(1);
      expect(w.kinds()).toEqual(["new:n2"]);
      const next = await w.run({ at: T0 + MIN });
      expect(next.notices.sent).toEqual([]);
      expect((await w.stored())?.doc.book.outbox).toEqual([]);
      expect(w.kinds()).toEqual(["new:n2"]);
    });

    it("notifies once when a second run starts and finishes while the first is still notifying", async () => {
      const w = new World(kind);
      w.script.findings = [peerSeen("n2")];
      const gate = new GatedNotifier(w.file);
      const first = w.run({ notifiers: [gate], store: kind.open() });
      await gate.waitUntilEntered();
      // The next scheduled run comes while the first is stuck in its notifier: the notice is claimed.
      const second = await w.run({ notifiers: [w.notifier()], store: kind.open(), at: T0 + MIN });
      expect(second.notices.sent).toEqual([]);
      expect(second.errors).toEqual([]);
      expect(second.findings.map((f) => f.state)).toEqual(["firing"]);
      gate.openGate();
      const a = await first;
      expect(a.notices.sent).toHaveLength(1);
      expect(a.errors).toEqual([]); // its final save met the second run's save and re-applied on top
      expect(w.kinds()).toEqual(["new:n2"]);
      const h = await w.stored();
      expect(h?.doc.book.outbox).toEqual([]);
      expect(h?.doc.observations).toEqual({ runs: 2 }); // the later run's observations are kept
      expect((await w.run({ at: T0 + 2 * MIN })).notices.sent).toEqual([]);
    });

    it("does not page a finding that flickers on and off each run; it resolves after resolveAfterRuns clear runs", async () => {
      const w = new World(kind);
      for (let i = 0; i < 8; i++) {
        w.script.findings = i % 2 === 0 ? [peerSeen("n2")] : [];
        await w.run({ at: T0 + i * MIN });
      }
      expect(w.kinds()).toEqual(["new:n2"]);
      // Run 7 was clear; run 8 is the second clear run in a row.
      w.script.findings = [];
      const done = await w.run({ at: T0 + 8 * MIN });
      expect(done.resolved).toHaveLength(1);
      expect(w.kinds()).toEqual(["new:n2", "resolved:n2"]);

      // The same flicker with resolveAfterRuns 1 pages on every change: the setting is what damps it.
      const eager = new World(kind, { resolveAfterRuns: 1 });
      for (let i = 0; i < 4; i++) {
        eager.script.findings = i % 2 === 0 ? [peerSeen("n2")] : [];
        await eager.run({ at: T0 + i * MIN });
      }
      expect(eager.kinds()).toEqual(["new:n2", "resolved:n2", "new:n2", "resolved:n2"]);
    });

    it("reminds after remindAfter since people were last told, marked as a reminder", async () => {
      const w = new World(kind);
      w.script.findings = [peerSeen("n2")];
      await w.run();
      expect((await w.run({ at: T0 + 30 * MIN })).findings[0]!.state).toBe("firing");
      const r = await w.run({ at: T0 + 60 * MIN });
      expect(r.findings[0]!.state).toBe("reminder");
      expect(r.notices.sent.map((n) => n.kind)).toEqual(["reminder"]);
      expect((await w.run({ at: T0 + 90 * MIN })).findings[0]!.state).toBe("firing");
      await w.run({ at: T0 + 120 * MIN });
      expect(w.kinds()).toEqual(["new:n2", "reminder:n2", "reminder:n2"]);

      // Counted from the delivery, not from the first sighting: a late `new` delays the reminder.
      const late = new World(kind);
      mkdirSync(late.file);
      late.script.findings = [peerSeen("n4")];
      await late.run();
      rmSync(late.file, { recursive: true });
      await late.run({ at: T0 + 50 * MIN });
      expect((await late.run({ at: T0 + 70 * MIN })).findings[0]!.state).toBe("firing");
      expect((await late.run({ at: T0 + 110 * MIN })).findings[0]!.state).toBe("reminder");
      expect(late.kinds()).toEqual(["new:n4", "reminder:n4"]);
    });

    it("does not resolve an alert while runs do not cover it (blind), only after covered clear runs", async () => {
      const w = new World(kind);
      w.script.findings = [peerSeen("n2")];
      await w.run();
      w.script.findings = [];
      w.script.covers = () => false;
      for (let i = 1; i <= 5; i++) expect((await w.run({ at: T0 + i * MIN })).resolved).toEqual([]);
      expect(w.kinds()).toEqual(["new:n2"]);
      const alert = Object.values((await w.stored())!.doc.book.alerts)[0]!;
      expect(alert.clearRuns).toBe(0);
      w.script.covers = () => true;
      await w.run({ at: T0 + 6 * MIN });
      const r = await w.run({ at: T0 + 7 * MIN });
      expect(r.resolved).toHaveLength(1);
      expect(w.kinds()).toEqual(["new:n2", "resolved:n2"]);
    });

    it("delivers at least once: a crash between notify and save sends again once the claim lapses, never before", async () => {
      const w = new World(kind);
      const args: CrashChildArgs = { store: kind.child(), cluster: w.cluster, jsonl: w.file, now: T0 };
      const child = spawn(
        process.execPath,
        ["--import", "tsx", join(projectRoot, "test/lifecycle/crash-child.ts"), JSON.stringify(args)],
        { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const signal = await new Promise<NodeJS.Signals | null>((r) => child.once("exit", (_code, sig) => r(sig)));
      expect(signal, err).toBe("SIGKILL");
      expect(out).not.toContain("survived");
      expect(w.kinds()).toEqual(["new:n2"]); // delivered, but the run died before recording it

      w.script.findings = [peerSeen("n2")];
      const within = await w.run({ at: T0 + MIN });
      expect(within.notices.sent).toEqual([]); // still claimed by the dead run: no duplicate yet
      expect(within.notices.pending).toBe(1);
      const after = await w.run({ at: T0 + 6 * MIN });
      expect(after.notices.sent.map((n) => n.kind)).toEqual(["new"]);
      await w.run({ at: T0 + 7 * MIN });
      const docs = received(w.file);
      expect(docs.map((d) => d.state)).toEqual(["new", "new"]); // the documented duplicate
      expect(docs[0]!.id).toBe(docs[1]!.id); // same notice id: receivers can drop it
    });

    it("without notifiers (lookout check) shows transitions in the report and keeps no outbox", async () => {
      const w = new World(kind);
      for (let i = 0; i < 6; i++) {
        w.script.findings = i % 3 === 2 ? [] : [peerSeen(`n${i}`)];
        const r = await w.run({ notifiers: [], at: T0 + i * MIN });
        expect(r.errors).toEqual([]);
        expect((await w.stored())?.doc.book.outbox).toEqual([]);
        if (i === 0) expect(r.notices.sent.map((n) => n.kind)).toEqual(["new"]);
      }
    });
  });
}
