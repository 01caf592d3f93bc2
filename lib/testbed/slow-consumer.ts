// A real slow consumer: a raw TCP client subscribes, then stops reading, while a publisher floods its
// subject, until the server drops it for pending bytes over `max_pending` (or a write deadline).
// The server counts it in VARZ `slow_consumers` and in its account's STATZ `slow_consumers`.
import { connect, type Socket } from "node:net";
import type { NatsConnection } from "@nats-io/transport-node";
import { waitFor } from "./cluster.ts";

export interface SlowConsumerOptions {
  /** Client port of the server the slow client connects to. */
  port: number;
  /** Monitoring port of that server (its /varz tells when the count rose). */
  monitorPort: number;
  user: string;
  password: string;
  subject: string;
  /** A connection of the same account, to the same server, that publishes. */
  publisher: NatsConnection;
  timeoutMs?: number;
}

const slowConsumers = async (monitorPort: number): Promise<number> => {
  const r = await fetch(`http://127.0.0.1:${monitorPort}/varz`, { signal: AbortSignal.timeout(2000) });
  return ((await r.json()) as { slow_consumers?: number }).slow_consumers ?? 0;
};

async function stalledSubscriber(o: SlowConsumerOptions): Promise<Socket> {
  const sock = connect(o.port, "127.0.0.1");
  sock.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error("no PONG from the server")), 5000);
    sock.on("data", (d: Buffer) => {
      seen += d.toString("latin1");
      if (seen.includes("-ERR")) reject(new Error(`server refused the client: ${seen.trim()}`));
      if (seen.includes("PONG")) {
        clearTimeout(timer);
        resolve();
      }
    });
    const hello = { verbose: false, pedantic: false, user: o.user, pass: o.password, protocol: 1 };
    sock.write(`CONNECT ${JSON.stringify(hello)}\r\nSUB ${o.subject} 1\r\nPING\r\n`);
  });
  sock.removeAllListeners("data");
  // From here the socket is never read: the kernel's buffers fill, then the server's pending bytes.
  sock.pause();
  return sock;
}

/** Makes one slow consumer event on the server; returns its VARZ count after it. */
export async function produceSlowConsumer(o: SlowConsumerOptions): Promise<number> {
  const before = await slowConsumers(o.monitorPort);
  const sock = await stalledSubscriber(o);
  const payload = new Uint8Array(32 * 1024);
  try {
    return await waitFor(
      "the server to drop the stalled subscriber as a slow consumer",
      async () => {
        for (let i = 0; i < 32; i++) o.publisher.publish(o.subject, payload);
        await o.publisher.flush();
        const now = await slowConsumers(o.monitorPort);
        return now > before ? now : undefined;
      },
      o.timeoutMs ?? 30_000,
      10,
    );
  } finally {
    sock.destroy();
  }
}
