// One NATS connection shared by the slices of a process, reopened when it closed.
import type { NatsConnection } from "@nats-io/transport-node";
import type { NatsConnectionConfig } from "../config/config.ts";
import { connectNats, describeNatsError } from "../nats/connect.ts";

export class SharedConnection {
  private nc: NatsConnection | undefined;
  private opening: Promise<NatsConnection> | undefined;
  constructor(private readonly config: NatsConnectionConfig, private readonly timeoutMs: number) {}

  get = async (): Promise<NatsConnection> => {
    if (this.nc && !this.nc.isClosed()) return this.nc;
    this.opening ??= connectNats(this.config, this.timeoutMs).finally(() => (this.opening = undefined));
    this.nc = await this.opening;
    return this.nc;
  };

  describe = (e: unknown): string => describeNatsError(e, this.config);

  async close(): Promise<void> {
    const nc = this.nc;
    this.nc = undefined;
    if (nc && !nc.isClosed()) await nc.close().catch(() => undefined);
  }
}
