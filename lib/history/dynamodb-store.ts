// The deployed history: one DynamoDB table, one partition per cluster and slice.
//
// A slice run's whole history (observations + alert book) is one JSON document, gzip-compressed
// and cut into chunks under the 400 KB item limit (codec.ts). The HEAD item carries the version,
// the first chunk and the address of the others, so a document under ~380 KB compressed (every
// cluster measured so far) is one item written per run. A save:
//   1. writes the extra chunks (if any) under a key unique to this save attempt, then
//   2. puts HEAD conditionally: `version = expected` (or no HEAD yet). Losing that race throws
//      HistoryConflictError and leaves the stored document as it was; the loser's chunks are
//      never referenced and expire.
// Readers get HEAD with a consistent read and then exactly the chunks it names, which were
// written before it and are never overwritten, so a read never mixes two versions.
// Every item carries `expiresAt` = save time + ttlDays: superseded chunks expire by DynamoDB TTL,
// and the history of a slice that stopped saving for ttlDays expires whole (a HEAD past its
// expiry reads as "no history", whether or not TTL has deleted it yet).
// Throttling, 5xx and network errors are retried by the SDK (maxAttempts); what still fails
// becomes HistoryError, so the run fails loudly and the stored document is untouched.
import { randomBytes, createHash } from "node:crypto";
import { ConditionalCheckFailedException, DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  type PutCommandInput,
} from "@aws-sdk/lib-dynamodb";
import type { HistoryConfig } from "../config/config.ts";
import { HistoryConflictError, HistoryError } from "../errors.ts";
import { CODEC, decodeDocument, encodeDocument } from "./codec.ts";
import { itemSize, writeUnits, type ItemValue } from "./dynamodb-capacity.ts";
import { HEAD_SORT_KEY, HISTORY_TABLE } from "./dynamodb-table.ts";
import {
  keyString,
  type HistoryKey,
  type HistoryStore,
  type Loaded,
  type SaveReport,
  type SliceHistory,
} from "./store.ts";

/** Compressed bytes per item: 400 KB (409,600) minus room for keys and the HEAD's other attributes. */
export const CHUNK_BYTES = 380_000;
/** SDK attempts per request (1 + retries) for throttling, 5xx and network errors. */
export const DEFAULT_MAX_ATTEMPTS = 6;
const BATCH_ITEMS = 25;
const BATCH_ROUNDS = 8;

const { partitionKey: PK, sortKey: SK, ttlAttribute: TTL } = HISTORY_TABLE;

export interface DynamoHistoryOptions {
  table: string;
  /** Days after a save that its items expire (superseded chunks; a whole history left unsaved). */
  ttlDays: number;
  /** A client to use (not destroyed by close()); else one is built from `clientConfig`. */
  client?: DynamoDBClient;
  clientConfig?: DynamoDBClientConfig;
  /** Epoch ms; for expiry. */
  now?: () => number;
  chunkBytes?: number;
}

/** The HEAD item, parsed once at the edge. */
interface Head {
  version: number;
  codec: string;
  digest: string;
  parts: number;
  data: Uint8Array;
  /** Sort-key prefix of chunks 1..parts-1 (absent when parts is 1). */
  chunkSet?: string;
  expiresAt: number;
}

function parseHead(item: Record<string, unknown>, where: string): Head {
  const bad = (attr: string): never => {
    throw new HistoryError(`${where}: HEAD item has no valid "${attr}" (got ${JSON.stringify(item[attr])})`);
  };
  const int = (attr: string): number =>
    typeof item[attr] === "number" && Number.isInteger(item[attr]) ? item[attr] : bad(attr);
  const str = (attr: string): string => (typeof item[attr] === "string" ? item[attr] : bad(attr));
  const data = item.data instanceof Uint8Array ? item.data : bad("data");
  const h: Head = {
    version: int("version"),
    codec: str("codec"),
    digest: str("digest"),
    parts: int("parts"),
    data,
    expiresAt: int(TTL),
  };
  if (h.parts > 1) h.chunkSet = str("chunkSet");
  return h;
}

/** DynamoDB partition keys stop at 2048 bytes; a long server-list label is shortened by a digest. */
export function partitionKeyFor(k: HistoryKey): string {
  const pk = `${k.cluster}#${k.slice}`;
  if (Buffer.byteLength(pk, "utf8") <= 1024) return pk;
  return `${k.cluster.slice(0, 200)}~${createHash("sha256").update(k.cluster).digest("hex")}#${k.slice}`;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

function describeAwsError(e: unknown): string {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
  const m = err.$metadata;
  const meta = m ? ` (HTTP ${m.httpStatusCode ?? "none"}, ${m.attempts ?? 1} attempt(s))` : "";
  return `${err.name ?? "Error"}: ${err.message ?? String(e)}${meta}`;
}

export class DynamoHistoryStore implements HistoryStore {
  readonly kind = "dynamodb";
  get location(): string {
    return `DynamoDB table ${this.o.table}`;
  }
  private readonly doc: DynamoDBDocumentClient;
  private readonly ownsClient: boolean;
  private readonly raw: DynamoDBClient;
  private readonly now: () => number;
  private readonly chunkBytes: number;

  constructor(private readonly o: DynamoHistoryOptions) {
    this.ownsClient = !o.client;
    this.raw =
      o.client ?? new DynamoDBClient({ maxAttempts: DEFAULT_MAX_ATTEMPTS, retryMode: "standard", ...o.clientConfig });
    this.doc = DynamoDBDocumentClient.from(this.raw);
    this.now = o.now ?? Date.now;
    this.chunkBytes = o.chunkBytes ?? CHUNK_BYTES;
  }

  /** From the `history` section of the configuration; credentials from the default AWS chain. */
  static fromConfig(
    c: Extract<HistoryConfig, { kind: "dynamodb" }>,
    clientConfig: DynamoDBClientConfig = {},
  ): DynamoHistoryStore {
    const cc: DynamoDBClientConfig = { ...clientConfig };
    if (c.region) cc.region = c.region;
    if (c.endpoint) cc.endpoint = c.endpoint;
    return new DynamoHistoryStore({ table: c.table, ttlDays: c.ttlDays, clientConfig: cc });
  }

  get table(): string {
    return this.o.table;
  }

  async load<O>(key: HistoryKey): Promise<Loaded<O> | undefined> {
    const where = `${this.o.table} ${keyString(key)}`;
    const pk = partitionKeyFor(key);
    let item: Record<string, unknown> | undefined;
    try {
      item = (
        await this.doc.send(
          new GetCommand({ TableName: this.o.table, Key: { [PK]: pk, [SK]: HEAD_SORT_KEY }, ConsistentRead: true }),
        )
      ).Item;
    } catch (e) {
      throw new HistoryError(`cannot read history ${where}: ${describeAwsError(e)}`, { cause: e });
    }
    if (!item) return undefined;
    const head = parseHead(item, where);
    // Past its expiry it is gone as far as we care, even before TTL deleted it (TTL is lazy).
    if (head.expiresAt <= Math.floor(this.now() / 1000)) return undefined;
    const chunks = [head.data];
    if (head.parts > 1) chunks.push(...(await this.readChunks(pk, head, where)));
    const doc = decodeDocument<SliceHistory<O>>(head.codec, chunks, head.digest, where);
    return { version: head.version, doc };
  }

  private async readChunks(pk: string, head: Head, where: string): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    try {
      const pages = paginateQuery(
        { client: this.doc },
        {
          TableName: this.o.table,
          KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :set)",
          ExpressionAttributeNames: { "#pk": PK, "#sk": SK },
          ExpressionAttributeValues: { ":pk": pk, ":set": head.chunkSet },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) {
        for (const it of page.Items ?? []) {
          if (!(it.data instanceof Uint8Array)) throw new HistoryError(`${where}: chunk ${String(it[SK])} has no data`);
          out.push(it.data); // sort keys carry a zero-padded index: Query returns them in order
        }
      }
    } catch (e) {
      if (e instanceof HistoryError) throw e;
      throw new HistoryError(`cannot read history chunks ${where}: ${describeAwsError(e)}`, { cause: e });
    }
    if (out.length !== head.parts - 1) {
      throw new HistoryError(
        `${where}: version ${head.version} names ${head.parts} chunk(s) but ${out.length + 1} were found`,
      );
    }
    return out;
  }

  async save<O>(key: HistoryKey, history: SliceHistory<O>, expectedVersion: number | undefined): Promise<SaveReport> {
    const where = `${this.o.table} ${keyString(key)}`;
    const pk = partitionKeyFor(key);
    const enc = encodeDocument(history, this.chunkBytes);
    const version = (expectedVersion ?? 0) + 1;
    const nowMs = this.now();
    const expiresAt = Math.floor(nowMs / 1000) + this.o.ttlDays * 86_400;
    const chunkSet = `CHUNK#${pad(version, 12)}#${randomBytes(6).toString("hex")}#`;

    const extra: Record<string, ItemValue>[] = enc.chunks
      .slice(1)
      .map((data, i) => ({ [PK]: pk, [SK]: `${chunkSet}${pad(i + 1, 4)}`, data, [TTL]: expiresAt }));
    const head: Record<string, ItemValue> = {
      [PK]: pk,
      [SK]: HEAD_SORT_KEY,
      version,
      codec: CODEC,
      digest: enc.digest,
      parts: enc.chunks.length,
      bytes: enc.bytes,
      rawBytes: enc.rawBytes,
      data: enc.chunks[0] ?? new Uint8Array(),
      runId: history.runId,
      savedAt: nowMs,
      [TTL]: expiresAt,
    };
    if (extra.length) head.chunkSet = chunkSet;

    let reported = 0;
    let reportedAll = true;
    const count = (cc: { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined) => {
      const list = Array.isArray(cc) ? cc : cc ? [cc] : [];
      if (!list.length || list.some((c) => c.CapacityUnits === undefined)) reportedAll = false;
      for (const c of list) reported += c.CapacityUnits ?? 0;
    };

    // 1. Chunks beyond the first, before the HEAD that will name them.
    try {
      for (let at = 0; at < extra.length; at += BATCH_ITEMS) {
        let pending = extra.slice(at, at + BATCH_ITEMS).map((Item) => ({ PutRequest: { Item } }));
        for (let round = 0; pending.length; round++) {
          if (round >= BATCH_ROUNDS)
            throw new HistoryError(
              `${where}: DynamoDB left ${pending.length} chunk(s) unprocessed after ${BATCH_ROUNDS} rounds`,
            );
          if (round) await new Promise((r) => setTimeout(r, 50 * 2 ** round));
          const res = await this.doc.send(
            new BatchWriteCommand({ RequestItems: { [this.o.table]: pending }, ReturnConsumedCapacity: "TOTAL" }),
          );
          count(res.ConsumedCapacity);
          pending = (res.UnprocessedItems?.[this.o.table] ?? []).flatMap((r) =>
            r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
          );
        }
      }
    } catch (e) {
      if (e instanceof HistoryError) throw e;
      throw new HistoryError(`cannot write history chunks ${where}: ${describeAwsError(e)}`, { cause: e });
    }

    // 2. The HEAD, conditional on the version this run read.
    const condition: Pick<
      PutCommandInput,
      "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"
    > =
      expectedVersion === undefined
        ? {
            ConditionExpression: "attribute_not_exists(#pk) OR #exp <= :now",
            ExpressionAttributeNames: { "#pk": PK, "#exp": TTL },
            ExpressionAttributeValues: { ":now": Math.floor(nowMs / 1000) },
          }
        : {
            ConditionExpression: "#v = :expected",
            ExpressionAttributeNames: { "#v": "version" },
            ExpressionAttributeValues: { ":expected": expectedVersion },
          };
    try {
      const res = await this.doc.send(
        new PutCommand({ TableName: this.o.table, Item: head, ReturnConsumedCapacity: "TOTAL", ...condition }),
      );
      count(res.ConsumedCapacity);
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException)
        throw new HistoryConflictError(where, expectedVersion, { cause: e });
      throw new HistoryError(`cannot save history ${where}: ${describeAwsError(e)}`, { cause: e });
    }

    const sizes = [head, ...extra].map(itemSize);
    const computed = sizes.reduce((s, b) => s + writeUnits(b), 0);
    const report: SaveReport = {
      version,
      bytes: sizes.reduce((s, b) => s + b, 0),
      items: sizes.length,
      rawBytes: enc.rawBytes,
      computedWriteUnits: computed,
      writeUnits: reportedAll ? reported : computed,
      writeUnitsSource: reportedAll ? "reported" : "computed",
    };
    return report;
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.raw.destroy();
  }
}
