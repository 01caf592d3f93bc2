// One NATS connection shared by the slices of a process, reopened when it closed.
import type { NatsConnection } from "@nats-io/transport-node";
import type { NatsConnectionConfig } from "../config/config.ts";
import { connectNats, describeNatsError, secretValues } from "../nats/connect.ts";

export class SharedConnection {
  private nc: NatsConnection | undefined;
  private opening: Promise<NatsConnection> | undefined;
  /** Servers that recently gave us nothing, tried last. */
  private suspect = new Set<string>();
  constructor(
    private readonly config: NatsConnectionConfig,
    private readonly timeoutMs: number,
  ) {
    this.secrets = secretValues(config);
  }

  get = async (): Promise<NatsConnection> => {
    if (this.nc && !this.nc.isClosed()) return this.nc;
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    this.nc = await this.opening;
    return this.nc;
  };

  private open(): Promise<NatsConnection> {
    if (!this.suspect.size) return connectNats(this.config, this.timeoutMs);
    const servers = [...this.config.servers].sort((a, b) => Number(this.isSuspect(a)) - Number(this.isSuspect(b)));
    this.suspect.clear();
    return connectNats({ ...this.config, servers }, this.timeoutMs, { noRandomize: true });
  }

  private isSuspect(url: string): boolean {
    const hostPort = url.replace(/^\w+:\/\//, "");
    return [...this.suspect].some((s) => s.replace(/^\w+:\/\//, "") === hostPort);
  }

  /** Closes the connection and tries the server it was attached to last when reopening. */
  failover = async (): Promise<void> => {
    const server = this.nc?.getServer();
    if (server) this.suspect.add(server);
    await this.close();
  };

  private readonly secrets: string[];
  describe = (e: unknown): string => describeNatsError(e, this.config, this.secrets);

  async close(): Promise<void> {
    const nc = this.nc;
    this.nc = undefined;
    if (nc && !nc.isClosed()) await nc.close().catch(() => undefined);
  }
}
