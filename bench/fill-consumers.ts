// Gives every stream of a filled cluster its consumers for the consumers slice's figures: four
// durable pull consumers each, the first with the stream's three replicas and the others R1 (both
// kinds present, while the cluster keeps one consumer Raft group of three per stream rather than four:
// on two cores every R3 group's heartbeats share the CPU with the monitor being measured). Streams
// that hold messages (each mirrored source and its mirror, and a few given messages here) leave
// their consumers with messages pending, which no one pulls.
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { NatsCluster } from "../lib/testbed/cluster.ts";
import { BENCH_ACCOUNTS, MIRROR_EVERY, planStreams, withRetry, type PlannedStream } from "./fill.ts";
import { boundedEach } from "./stats.ts";

export const CONSUMERS_PER_STREAM = 4;
/** Consumers 0 .. R3_PER_STREAM-1 of a stream keep the stream's replicas (R3); the rest are R1. */
export const R3_PER_STREAM = 1;
/** Stream k of an account (not a mirror) gets PUBLISHED messages when k % MIRROR_EVERY is this. */
const PUBLISH_AT = 5;
const PUBLISHED = 3;

export interface ConsumerFillReport {
  /** Consumers created here (the streams fill's own consumers not counted). */
  consumers: number;
  r3: number;
  r1: number;
  /** Streams whose consumers have messages pending. */
  streamsWithPending: number;
  seconds: number;
}

const consumerName = (k: number) => `C${k}`;

/** Adds CONSUMERS_PER_STREAM durable consumers to each of the `total` streams fillCluster made. */
export async function fillConsumers(
  cluster: NatsCluster,
  total: number,
  concurrency: number,
  log: (s: string) => void,
): Promise<ConsumerFillReport> {
  const t0 = Date.now();
  const accounts = BENCH_ACCOUNTS.map((a) => a.name);
  const plan = planStreams(total, accounts);
  // The index of each stream within its account decides (as in planStreams) what it holds.
  const indexOf = (p: PlannedStream) => Number(p.name.slice(1));
  const conns = new Map<string, { nc: NatsConnection; jsm: JetStreamManager }>();
  try {
    for (const a of accounts) {
      const nc = await cluster.appConnection(a);
      conns.set(a, { nc, jsm: await jetstreamManager(nc, { timeout: 20_000 }) });
    }
    const mirrored = new Set(plan.filter((p) => p.mirrorOf).map((p) => `${p.account}/${p.mirrorOf}`));
    const publishTo = plan.filter((p) => !p.mirrorOf && indexOf(p) % MIRROR_EVERY === PUBLISH_AT);
    await boundedEach(publishTo, concurrency, async (p) => {
      const js = jetstream(conns.get(p.account)!.nc, { timeout: 20_000 });
      for (let i = 0; i < PUBLISHED; i++) await withRetry(`publish to ${p.name}`, () => js.publish(`${p.name}.p`, "x"));
    });
    const jobs = plan.flatMap((p) => Array.from({ length: CONSUMERS_PER_STREAM }, (_, k) => ({ p, k })));
    let done = 0;
    let lastLog = Date.now();
    await boundedEach(jobs, concurrency, async ({ p, k }) => {
      const { jsm } = conns.get(p.account)!;
      const cfg = {
        durable_name: consumerName(k),
        ack_policy: AckPolicy.Explicit,
        // 0: the stream's replicas.
        num_replicas: k < R3_PER_STREAM ? 0 : 1,
      };
      await withRetry(`consumer ${p.account}/${p.name}/${cfg.durable_name}`, () => jsm.consumers.add(p.name, cfg));
      done++;
      if (done % 1000 === 0 || Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        const rate = done / ((Date.now() - t0) / 1000);
        log(`  ${done}/${jobs.length} consumers (${rate.toFixed(0)}/s)`);
      }
    });
    return {
      consumers: jobs.length,
      r3: plan.length * Math.min(R3_PER_STREAM, CONSUMERS_PER_STREAM),
      r1: plan.length * Math.max(0, CONSUMERS_PER_STREAM - R3_PER_STREAM),
      streamsWithPending:
        plan.filter((p) => p.mirrorOf || mirrored.has(`${p.account}/${p.name}`)).length + publishTo.length,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    for (const { nc } of conns.values()) await nc.close().catch(() => undefined);
  }
}
