// A TCP relay on 127.0.0.1 that a test can cut and restore: puts one network link (e.g. a leafnode
// connection for one account) between two real servers, so a test can break that link alone while
// both processes, and every other link between them, keep working.
import { createServer, connect, type Server, type Socket } from "node:net";
import { freePort } from "./cluster.ts";

export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private open = true;
  private constructor(
    private readonly server: Server,
    readonly port: number,
    public targetPort: number | undefined,
  ) {}

  /**
   * Relays 127.0.0.1:<port> to 127.0.0.1:<targetPort>. The target may be set later (a server that
   * must advertise the proxy's address is configured before its own port is known).
   */
  static async start(targetPort?: number): Promise<TcpProxy> {
    const port = await freePort();
    const server = createServer();
    const proxy = new TcpProxy(server, port, targetPort);
    server.on("connection", (client) => proxy.relay(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    return proxy;
  }

  private relay(client: Socket): void {
    if (!this.open || this.targetPort === undefined) {
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Drops every relayed connection and refuses new ones until `restore()`. */
  cut(): void {
    this.open = false;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.open = true;
  }

  get isOpen(): boolean {
    return this.open;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
