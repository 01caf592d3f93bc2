import { gzipSync } from "node:zlib";
// The HistoryStore contract: every implementation passes these same tests, on real storage
// (a folder for the file store, a moto_server table for DynamoDB).
import { describe, expect, it } from "vitest";
import { emptyBook, type AlertBook } from "../../lib/alerts/alert.ts";
import { HistoryConflictError } from "../../lib/errors.ts";
import type { HistoryKey, HistoryStore, SliceHistory } from "../../lib/history/store.ts";
import { finding } from "../../lib/checks/catalog.ts";
import { fingerprint } from "../../lib/findings/finding.ts";
import { lcg, streamObservations } from "../../lib/testbed/synthetic-history.ts";

export { lcg, streamObservations };

export interface ContractSubject {
  /** Whether a document of several MB must be stored as more than one item. */
  chunksLargeDocuments: boolean;
  /** A store on storage no other test uses. */
  open(): Promise<HistoryStore>;
  /** A second, independent handle (own client, own lock) on the same storage as `store`. */
  twin(store: HistoryStore): Promise<HistoryStore>;
}

let keys = 0;
/** A history key no other test in this process uses. */
export const freshKey = (slice: HistoryKey["slice"] = "meta"): HistoryKey => ({
  cluster: `contract-${process.pid}-${++keys}`,
  slice,
});

export function bookWith(n: number, at = 1_700_000_000_000): AlertBook {
  const book = emptyBook();
  for (let i = 0; i < n; i++) {
    const f = finding(
      "meta_peer_seen",
      { cluster: "c1", peer: `n${i}` },
      `meta leader n0 last heard from n${i} 40s ago`,
      { active_ms: 40_000 + i },
    );
    const fp = fingerprint(f);
    book.alerts[fp] = { fingerprint: fp, finding: f, firstSeen: at, lastSeen: at, clearRuns: 0 };
    book.outbox.push({
      id: `${fp}#new@${at}`,
      kind: "new",
      fingerprint: fp,
      finding: f,
      at,
      firstSeen: at,
      attempts: 0,
    });
  }
  return book;
}

export function historyDoc<O>(observations: O, runId: string, book: AlertBook = bookWith(1)): SliceHistory<O> {
  return { observations, book, runId, savedAt: 1_700_000_000_000 };
}

export function historyContract(label: string, subject: () => ContractSubject): void {
  describe(`HistoryStore contract: ${label}`, () => {
    it("loads nothing for a key never saved", async () => {
      const store = await subject().open();
      expect(await store.load(freshKey())).toBeUndefined();
    });

    it("round-trips a document exactly, as version 1, and reports what it wrote", async () => {
      const store = await subject().open();
      const key = freshKey();
      const doc = historyDoc(
        { leader: "n1", term: 7, knownServers: ["n1", "n2", "n3"], note: "ünïcødé ✓" },
        "run-1",
        bookWith(3),
      );
      const report = await store.save(key, doc, undefined);
      expect(report.version).toBe(1);
      expect(report.items).toBe(1);
      const loaded = await store.load<typeof doc.observations>(key);
      expect(loaded).toEqual({ version: 1, doc });
      // What it reports writing is at least the compressed document (it never under-reports cost).
      expect(report.bytes).toBeGreaterThanOrEqual(gzipSync(JSON.stringify(doc)).length * 0.5);
    });

    it("increments the version on each save and loads the latest document", async () => {
      const store = await subject().open();
      const key = freshKey();
      let version: number | undefined;
      for (let i = 1; i <= 4; i++) {
        const r = await store.save(key, historyDoc({ run: i }, `run-${i}`), version);
        expect(r.version).toBe(i);
        version = r.version;
      }
      const loaded = await store.load<{ run: number }>(key);
      expect(loaded?.version).toBe(4);
      expect(loaded?.doc.observations).toEqual({ run: 4 });
      expect(loaded?.doc.runId).toBe("run-4");
    });

    it("refuses a save against a stale version with HistoryConflictError and keeps the stored document", async () => {
      const store = await subject().open();
      const key = freshKey();
      await store.save(key, historyDoc({ run: 1 }, "run-1"), undefined);
      await store.save(key, historyDoc({ run: 2 }, "run-2"), 1);
      await expect(store.save(key, historyDoc({ run: "stale" }, "stale"), 1)).rejects.toBeInstanceOf(
        HistoryConflictError,
      );
      await expect(store.save(key, historyDoc({ run: "first?" }, "dup"), undefined)).rejects.toBeInstanceOf(
        HistoryConflictError,
      );
      await expect(store.save(key, historyDoc({ run: "future" }, "future"), 5)).rejects.toBeInstanceOf(
        HistoryConflictError,
      );
      const loaded = await store.load<{ run: unknown }>(key);
      expect(loaded?.version).toBe(2);
      expect(loaded?.doc.observations).toEqual({ run: 2 });
    });

    it("refuses a save that expects a version when nothing is stored", async () => {
      const store = await subject().open();
      const key = freshKey();
      await expect(store.save(key, historyDoc({}, "r"), 3)).rejects.toBeInstanceOf(HistoryConflictError);
      expect(await store.load(key)).toBeUndefined();
    });

    it("round-trips a document of several MB (chunked where items are limited), then a small one", async () => {
      const s = subject();
      const store = await s.open();
      const key = freshKey("streams");
      const big = historyDoc(streamObservations(60_000), "run-big", bookWith(200));
      const raw = JSON.stringify(big).length;
      expect(raw).toBeGreaterThan(5_000_000);
      const r1 = await store.save(key, big, undefined);
      if (s.chunksLargeDocuments) expect(r1.items).toBeGreaterThan(1);
      const loaded = await store.load<typeof big.observations>(key);
      expect(loaded?.version).toBe(1);
      expect(loaded?.doc).toEqual(big);

      // A smaller next version is read whole, with nothing of the big one mixed in.
      const small = historyDoc(streamObservations(10, 2), "run-small");
      const r2 = await store.save(key, small, 1);
      expect(r2.items).toBe(1);
      expect(await store.load(key)).toEqual({ version: 2, doc: small });
    });

    it("lets exactly one of two stores racing from the same version win, every time", async () => {
      const s = subject();
      const a = await s.open();
      const b = await s.twin(a);
      const key = freshKey();
      let version = (await a.save(key, historyDoc({ round: 0 }, "seed"), undefined)).version;
      for (let round = 1; round <= 5; round++) {
        // Large enough that the writes overlap in time, not just in order.
        const docA = historyDoc({ round, by: "a", pad: streamObservations(2_000, round) }, `a-${round}`);
        const docB = historyDoc({ round, by: "b", pad: streamObservations(2_000, round + 100) }, `b-${round}`);
        const results = await Promise.allSettled([a.save(key, docA, version), b.save(key, docB, version)]);
        const won = results.filter((r) => r.status === "fulfilled");
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]!.reason).toBeInstanceOf(HistoryConflictError);
        const winner = results[0].status === "fulfilled" ? docA : docB;
        const loaded = await b.load(key);
        expect(loaded).toEqual({ version: version + 1, doc: winner });
        version++;
      }
      await a.close?.();
      await b.close?.();
    });

    it("serialises many concurrent saves: versions stay contiguous and each winner is what is stored", async () => {
      const s = subject();
      const stores = [await s.open()];
      stores.push(await s.twin(stores[0]!), await s.twin(stores[0]!));
      const key = freshKey();
      const wins: number[] = [];
      // Each writer loads, then saves conditionally, 6 times; conflicts are expected and retried.
      await Promise.all(
        stores.map(async (st, w) => {
          for (let i = 0; i < 6; i++) {
            for (;;) {
              const cur = await st.load<{ w: number; i: number }>(key);
              try {
                const r = await st.save(key, historyDoc({ w, i }, `w${w}-${i}`), cur?.version);
                wins.push(r.version);
                break;
              } catch (e) {
                if (!(e instanceof HistoryConflictError)) throw e;
              }
            }
          }
        }),
      );
      expect(wins.sort((x, y) => x - y)).toEqual(Array.from({ length: 18 }, (_, k) => k + 1));
      expect((await stores[0]!.load(key))?.version).toBe(18);
      for (const st of stores) await st.close?.();
    });
  });
}
