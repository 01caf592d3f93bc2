// Fills a real cluster with S streams the way a busy deployment looks: R3, spread over a few
// accounts, one in ten a mirror of a neighbour, a few durable consumers, a message in each mirrored
// source so mirrors have something to follow.
//
// Memory storage with tiny limits: the benchmark measures the monitor, not the disks. max_bytes is
// set (8 KB) because a memory stream reserves its max_bytes on every replica: 5,000 x 8 KB = 40 MB
// per server, well inside the harness's max_mem of 256 MB.
import { jetstream, jetstreamManager, StorageType, type JetStreamManager, type StreamConfig } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { AccountSpec, NatsCluster } from "../lib/testbed/cluster.ts";
import { boundedEach } from "./stats.ts";

/** Three application accounts, so "every account" means more than the default two. */
export const BENCH_ACCOUNTS: AccountSpec[] = [
  { name: "APP", user: "app", password: "app-secret", jetstream: true },
  { name: "OTHER", user: "other", password: "other-secret", jetstream: true },
  { name: "DATA", user: "data", password: "data-secret", jetstream: true },
];

export const MIRROR_EVERY = 10;
export const CONSUMER_EVERY = 100;
const MAX_BYTES = 8 * 1024;
const MAX_MSGS = 64;

export interface PlannedStream {
  account: string;
  name: string;
  /** Name of the stream this one mirrors (same account). */
  mirrorOf?: string;
  consumer: boolean;
}

/** Stream i goes to account i mod accounts; the second of every MIRROR_EVERY of an account mirrors the one before it. */
export function planStreams(total: number, accounts: readonly string[]): PlannedStream[] {
  const perAccount = new Map<string, number>();
  const out: PlannedStream[] = [];
  for (let i = 0; i < total; i++) {
    const account = accounts[i % accounts.length]!;
    const k = perAccount.get(account) ?? 0;
    perAccount.set(account, k + 1);
    const name = `S${String(k).padStart(5, "0")}`;
    const p: PlannedStream = { account, name, consumer: k % CONSUMER_EVERY === 0 };
    if (k % MIRROR_EVERY === 1) p.mirrorOf = `S${String(k - 1).padStart(5, "0")}`;
    out.push(p);
  }
  return out;
}

function configOf(p: PlannedStream): Partial<StreamConfig> & { name: string } {
  const base = { name: p.name, num_replicas: 3, storage: StorageType.Memory, max_bytes: MAX_BYTES, max_msgs: MAX_MSGS };
  return p.mirrorOf ? { ...base, mirror: { name: p.mirrorOf } } : { ...base, subjects: [`${p.name}.>`] };
}

/** Retries what a loaded meta leader may time out on; "already in use" with our config means done. */
export async function withRetry(what: string, fn: () => Promise<unknown>, attempts = 5): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await fn();
      return;
    } catch (e) {
      const msg = String((e as Error).message ?? e);
      if (/already in use/i.test(msg) && i > 1) return;
      if (i >= attempts) throw new Error(`${what}: ${msg}`, { cause: e });
      await new Promise((r) => setTimeout(r, 500 * i));
    }
  }
}

export interface FillReport {
  streams: number;
  mirrors: number;
  consumers: number;
  accounts: string[];
  seconds: number;
}

export async function fillCluster(
  cluster: NatsCluster,
  total: number,
  concurrency: number,
  log: (s: string) => void,
): Promise<FillReport> {
  const t0 = Date.now();
  const accounts = BENCH_ACCOUNTS.map((a) => a.name);
  const plan = planStreams(total, accounts);
  const conns = new Map<string, { nc: NatsConnection; jsm: JetStreamManager }>();
  try {
    for (const a of accounts) {
      const nc = await cluster.appConnection(a);
      conns.set(a, { nc, jsm: await jetstreamManager(nc, { timeout: 20_000 }) });
    }
    // Sources before mirrors: a mirror of a stream that does not exist yet only reports an error.
    const sources = plan.filter((p) => !p.mirrorOf);
    const mirrors = plan.filter((p) => p.mirrorOf);
    let done = 0;
    const create = async (p: PlannedStream) => {
      const { jsm } = conns.get(p.account)!;
      await withRetry(`create ${p.account}/${p.name}`, () => jsm.streams.add(configOf(p)));
      if (p.consumer)
        await withRetry(`consumer on ${p.account}/${p.name}`, () =>
          jsm.consumers.add(p.name, { durable_name: "bench", ack_policy: "explicit" } as never),
        );
      if (++done % 500 === 0) log(`  ${done}/${total} streams`);
    };
    await boundedEach(sources, concurrency, create);
    const mirrored = new Set(mirrors.map((m) => `${m.account}/${m.mirrorOf}`));
    await boundedEach([...mirrored], concurrency, async (key) => {
      const [account, name] = key.split("/") as [string, string];
      const js = jetstream(conns.get(account)!.nc, { timeout: 20_000 });
      await withRetry(`publish to ${key}`, () => js.publish(`${name}.x`, "bench"));
    });
    await boundedEach(mirrors, concurrency, create);
    return {
      streams: plan.length,
      mirrors: mirrors.length,
      consumers: plan.filter((p) => p.consumer).length,
      accounts,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    for (const { nc } of conns.values()) await nc.close().catch(() => undefined);
  }
}
