// A network round trip for the benchmark: TCP relays on 127.0.0.1, one per server, that hold each
// chunk before passing it on (order kept per connection), so a request and its reply pay one round
// trip as they would between a Lambda function and its NATS servers. Both the streams slice and the
// naive loop are sent through the same relays in the same run.
//
// Where the delay goes: Node's timers count whole milliseconds (a 0.5 ms timer waits at least 1 ms),
// so rtt/2 each way would pay about twice the round trip asked for at 1 ms. The benchmark therefore
// holds the replies' direction (server to client) for the whole round trip and passes requests at
// once: every request/reply exchange pays one round trip either way. It still measures the round
// trip actually paid through the relays (PING/PONG) and reports it beside the one asked for.
//
// The relays run in a child process of their own (`startDelayRelays`), so their work never shares
// an event loop or a CPU figure with the monitor being measured.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, connect, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** Holds each chunk for `delayMs`, then writes it to `to`, in arrival order. */
function delayedPipe(from: Socket, to: Socket, delayMs: number): void {
  if (delayMs <= 0) {
    from.pipe(to);
    return;
  }
  const queue: { due: number; chunk: Buffer }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length && queue[0]!.due <= now) {
      if (!to.destroyed) to.write(queue.shift()!.chunk);
      else queue.shift();
    }
    if (queue.length) timer = setTimeout(flush, queue[0]!.due - now);
  };
  from.on("data", (chunk: Buffer) => {
    queue.push({ due: performance.now() + delayMs, chunk });
    if (!timer) timer = setTimeout(flush, delayMs);
  });
  from.on("end", () => {
    const endWhenDrained = () => (queue.length ? setTimeout(endWhenDrained, delayMs) : to.end());
    endWhenDrained();
  });
}

/** Milliseconds each direction is held. */
export interface RelayDelay {
  toServerMs: number;
  toClientMs: number;
}

/** A round trip of `rttMs`, as the benchmark applies it (see the top of this file). */
export const roundTrip = (rttMs: number): RelayDelay => ({ toServerMs: 0, toClientMs: rttMs });

export class DelayRelay {
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Relays 127.0.0.1:<port> (a free one) to 127.0.0.1:<targetPort>, holding each direction as given. */
  static async start(targetPort: number, delay: RelayDelay): Promise<DelayRelay> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const addr = server.address();
    const relay = new DelayRelay(server, typeof addr === "object" && addr ? addr.port : 0);
    server.on("connection", (client) => relay.relay(client, targetPort, delay));
    return relay;
  }

  private relay(client: Socket, targetPort: number, delay: RelayDelay): void {
    const upstream = connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    delayedPipe(client, upstream, delay.toServerMs);
    delayedPipe(upstream, client, delay.toClientMs);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** The relays' child process: the ports it listens on, in the order of the targets. */
export interface DelayRelays {
  ports: number[];
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts one relay per target port in a child process (node with this process's loader flags, so
 * it runs under tsx as the benchmark does). Stop it with `stop()`, which ends that PID alone.
 */
export async function startDelayRelays(targetPorts: readonly number[], delay: RelayDelay): Promise<DelayRelays> {
  const args = [
    fileURLToPath(import.meta.url),
    String(delay.toServerMs),
    String(delay.toClientMs),
    ...targetPorts.map(String),
  ];
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, ...args], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("the delay relay process did not start");
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const ports = await new Promise<number[]>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (l) => resolve(JSON.parse(l) as number[]));
    child.once("exit", (code) => reject(new Error(`the delay relay process ended (code ${code}) before listening`)));
  });
  return {
    ports,
    pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGTERM");
      await exited;
    },
  };
}

// Child entry: `delay-relay.ts <toServerMs> <toClientMs> <port>...`; prints the relay ports as one
// JSON line, then relays until SIGTERM or until its parent closes stdin.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const delay: RelayDelay = { toServerMs: Number(process.argv[2]), toClientMs: Number(process.argv[3]) };
  const relays = await Promise.all(process.argv.slice(4).map((p) => DelayRelay.start(Number(p), delay)));
  const stopAll = async () => {
    await Promise.all(relays.map((r) => r.stop()));
    process.exit(0);
  };
  process.on("SIGTERM", () => void stopAll());
  process.stdin.on("end", () => void stopAll());
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify(relays.map((r) => r.port))}\n`);
}
