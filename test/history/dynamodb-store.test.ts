// The DynamoDB history store on a real moto_server (127.0.0.1): the shared contract, plus what only
// DynamoDB has: TTL, chunk items, write units, SDK retries on throttling and 5xx.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeleteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, paginateQuery } from "@aws-sdk/lib-dynamodb";
import { MotoServer } from "../../lib/testbed/moto.ts";
import { DynamoHistoryStore, CHUNK_BYTES, partitionKeyFor } from "../../lib/history/dynamodb-store.ts";
import { createHistoryTable, historyTableTtl, HISTORY_TABLE, HEAD_SORT_KEY } from "../../lib/history/dynamodb-table.ts";
import { itemSize } from "../../lib/history/dynamodb-capacity.ts";
import { HistoryConflictError, HistoryError } from "../../lib/errors.ts";
import { bookWith, freshKey, historyContract, historyDoc, streamObservations } from "./contract.ts";
import { FlakyProxy } from "./flaky-proxy.ts";

const TABLE = "lookout-history";
const TTL_DAYS = 14;
let moto: MotoServer;
let raw: DynamoDBClient;

beforeAll(async () => {
  moto = await MotoServer.start();
  raw = new DynamoDBClient({ endpoint: moto.endpoint, region: moto.env.region, credentials: moto.env.credentials });
  await createHistoryTable(raw, TABLE);
});
afterAll(async () => {
  raw?.destroy();
  await moto?.stop();
});

const open = (extra: Partial<ConstructorParameters<typeof DynamoHistoryStore>[0]> = {}) =>
  new DynamoHistoryStore({
    table: TABLE,
    ttlDays: TTL_DAYS,
    clientConfig: { endpoint: moto.endpoint, region: moto.env.region, credentials: moto.env.credentials },
    ...extra,
  });

/** Every item of one history partition, as stored. */
async function itemsOf(pk: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const pages = paginateQuery(
    { client: DynamoDBDocumentClient.from(raw) },
    {
      TableName: TABLE,
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": "pk" },
      ExpressionAttributeValues: { ":pk": pk },
    },
  );
  for await (const p of pages) out.push(...(p.Items ?? []));
  return out;
}

historyContract("DynamoDB (moto_server)", () => ({
  chunksLargeDocuments: true,
  open: async () => open(),
  twin: async () => open(),
}));

describe("DynamoHistoryStore on moto_server", () => {
  it("creates the table with TTL on the exported attribute, and stamps every item with an expiry ttlDays ahead", async () => {
    expect(await historyTableTtl(raw, TABLE)).toBe(HISTORY_TABLE.ttlAttribute);
    const store = open();
    const key = freshKey("streams");
    const before = Math.floor(Date.now() / 1000);
    await store.save(key, historyDoc(streamObservations(60_000), "big"), undefined);
    await store.save(key, historyDoc(streamObservations(60_000, 9), "big-2"), 1);
    const items = await itemsOf(partitionKeyFor(key));
    const heads = items.filter((i) => i.sk === HEAD_SORT_KEY);
    const chunks = items.filter((i) => String(i.sk).startsWith("CHUNK#"));
    expect(heads).toHaveLength(1);
    // The superseded version's chunks are still there (DynamoDB TTL removes them later), all with an expiry.
    expect(new Set(chunks.map((c) => String(c.sk).split("#")[1]))).toEqual(new Set(["000000000001", "000000000002"]));
    for (const it of items) {
      const exp = it[HISTORY_TABLE.ttlAttribute];
      expect(typeof exp).toBe("number");
      expect(exp as number).toBeGreaterThanOrEqual(before + TTL_DAYS * 86_400);
      expect(exp as number).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + TTL_DAYS * 86_400);
    }
    // Every stored item respects the 400 KB limit with room to spare.
    for (const it of items) expect(itemSize(it as never)).toBeLessThan(400 * 1024);
    await store.close();
  });

  it("treats a history unsaved for longer than ttlDays as gone, even before TTL deleted it, and starts again at version 1", async () => {
    const key = freshKey();
    await open().save(key, historyDoc({ old: true }, "old"), undefined);
    const later = open({ now: () => Date.now() + (TTL_DAYS + 1) * 86_400_000 });
    expect(await later.load(key)).toBeUndefined();
    await expect(later.save(key, historyDoc({ x: 1 }, "stale"), 1)).resolves.toMatchObject({ version: 2 }); // the item still exists physically
    const again = freshKey();
    await open().save(again, historyDoc({ old: true }, "old"), undefined);
    const r = await later.save(again, historyDoc({ fresh: true }, "fresh"), undefined);
    expect(r.version).toBe(1);
    expect((await later.load(again))?.doc.observations).toEqual({ fresh: true });
  });

  it("keeps one item per run however many streams the observations hold, up to the compressed chunk size", async () => {
    const store = open();
    const rows: { streams: number; items: number; rawBytes: number; bytes: number; units: number }[] = [];
    for (const streams of [10, 1_000, 10_000]) {
      const r = await store.save(
        freshKey("streams"),
        historyDoc(streamObservations(streams), "r", bookWith(20)),
        undefined,
      );
      rows.push({
        streams,
        items: r.items,
        rawBytes: r.rawBytes ?? 0,
        bytes: r.bytes,
        units: r.computedWriteUnits ?? 0,
      });
    }
    for (const row of rows) expect(row.items).toBe(1);
    // Compression: the stored item is a fraction of the JSON.
    expect(rows[2]!.bytes).toBeLessThan(rows[2]!.rawBytes / 2);
    console.log(
      "streams, items, raw bytes, stored bytes, write units:",
      rows.map((r) => `${r.streams}: ${r.items}, ${r.rawBytes}, ${r.bytes}, ${r.units}`).join(" | "),
    );
    await store.close();
  });

  it("computes write units from item sizes (1 per started KB) and says where the figure came from", async () => {
    const store = open();
    const big = await store.save(freshKey("streams"), historyDoc(streamObservations(60_000), "r"), undefined);
    // Every item but the last chunk is full.
    expect(big.items).toBe(Math.ceil(big.bytes / (CHUNK_BYTES + 400)));
    expect(big.computedWriteUnits).toBeGreaterThanOrEqual(Math.ceil(big.bytes / 1024));
    expect(big.computedWriteUnits).toBeLessThanOrEqual(Math.ceil(big.bytes / 1024) + big.items);
    expect(["reported", "computed"]).toContain(big.writeUnitsSource);
    expect(big.writeUnits).toBeGreaterThan(0);
    await store.close();
  });

  it("fails loudly with HistoryError when a chunk of the current version is missing", async () => {
    const store = open();
    const key = freshKey("streams");
    await store.save(key, historyDoc(streamObservations(60_000), "r"), undefined);
    const pk = partitionKeyFor(key);
    const chunk = (await itemsOf(pk)).find((i) => String(i.sk).startsWith("CHUNK#"))!;
    await raw.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: { S: pk }, sk: { S: String(chunk.sk) } } }));
    await expect(store.load(key)).rejects.toThrow(HistoryError);
    await expect(store.load(key)).rejects.toThrow(/chunk/);
  });

  describe("through a proxy that injects throttling and 5xx", () => {
    let proxy: FlakyProxy;
    beforeAll(async () => {
      proxy = await FlakyProxy.start(moto.endpoint);
    });
    afterAll(async () => {
      await proxy?.stop();
    });
    const viaProxy = (maxAttempts: number) =>
      new DynamoHistoryStore({
        table: TABLE,
        ttlDays: TTL_DAYS,
        clientConfig: {
          endpoint: proxy.endpoint,
          region: moto.env.region,
          credentials: moto.env.credentials,
          maxAttempts,
        },
      });

    it("retries throttled and 5xx writes within maxAttempts and saves", async () => {
      const store = viaProxy(4);
      const key = freshKey();
      proxy.failNext("PutItem", 2, "throttle");
      await expect(store.save(key, historyDoc({ n: 1 }, "r1"), undefined)).resolves.toMatchObject({ version: 1 });
      expect(proxy.seen.get("PutItem")).toBe(3);
      proxy.failNext("PutItem", 3, "5xx");
      await expect(store.save(key, historyDoc({ n: 2 }, "r2"), 1)).resolves.toMatchObject({ version: 2 });
      expect(proxy.seen.get("PutItem")).toBe(4);
      expect((await store.load(key))?.doc.observations).toEqual({ n: 2 });
      await store.close();
    });

    it("surfaces HistoryError (not a conflict, not a crash) once retries are spent, and the stored document is untouched", async () => {
      const store = viaProxy(2);
      const key = freshKey();
      await store.save(key, historyDoc({ n: 1 }, "r1"), undefined);
      proxy.failNext("PutItem", 5, "5xx");
      const err = await store.save(key, historyDoc({ n: 2 }, "r2"), 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HistoryError);
      expect(err).not.toBeInstanceOf(HistoryConflictError);
      expect((err as Error).message).toMatch(/InternalServerError.*2 attempt/);
      proxy.failNext("GetItem", 5, "throttle");
      await expect(store.load(key)).rejects.toThrow(HistoryError);
      proxy.failNext("", 0, "5xx");
      expect(await open().load(key)).toMatchObject({ version: 1, doc: { observations: { n: 1 } } });
      await store.close();
    });

    it("reports an unreachable endpoint as HistoryError", async () => {
      const store = new DynamoHistoryStore({
        table: TABLE,
        ttlDays: 1,
        clientConfig: {
          endpoint: "http://127.0.0.1:1",
          region: "us-east-1",
          credentials: moto.env.credentials,
          maxAttempts: 2,
        },
      });
      await expect(store.load(freshKey())).rejects.toThrow(HistoryError);
      await store.close();
    });
  });

  it("builds from the configuration section (fromConfig) and works against the configured endpoint", async () => {
    const store = DynamoHistoryStore.fromConfig(
      { kind: "dynamodb", table: TABLE, ttlDays: 3, region: "us-east-1", endpoint: moto.endpoint },
      { credentials: moto.env.credentials },
    );
    const key = freshKey();
    await store.save(key, historyDoc({ ok: true }, "cfg"), undefined);
    expect((await open().load(key))?.doc.runId).toBe("cfg");
    const head = (await itemsOf(partitionKeyFor(key)))[0]!;
    expect(head[HISTORY_TABLE.ttlAttribute] as number).toBeGreaterThan(Date.now() / 1000 + 2.9 * 86_400);
    await store.close();
  });
});
