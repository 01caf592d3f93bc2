// The topology the streams tests share: a 3-server hub cluster in JetStream domain "hub" and a
// single-server JetStream domain "edge" joined to it by leafnodes. The edge's system account is
// linked directly (the monitor sees the edge server answer), its APP account through a TcpProxy a
// test can cut (a mirror in the hub then loses its source in the edge while both stay up).
import { jetstream, jetstreamManager, type StreamConfig } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { NatsCluster, SYS_USER, sleep } from "../../lib/testbed/cluster.ts";
import { TcpProxy } from "../../lib/testbed/proxy.ts";
import type { ServerBinary } from "../../lib/testbed/servers.ts";

export interface HubAndEdge {
  hub: NatsCluster;
  edge: NatsCluster;
  /** The APP account's leafnode link between edge and hub. */
  appLink: TcpProxy;
  stop(): Promise<void>;
}

export interface HubAndEdgeOptions {
  /** JetStream domain of the hub's servers; null: none (a hub without a domain beside a leaf with one). Default "hub". */
  hubDomain?: string | null;
}

export async function startHubAndEdge(binary: ServerBinary, o: HubAndEdgeOptions = {}): Promise<HubAndEdge> {
  const appLink = await TcpProxy.start();
  const hubDomain = o.hubDomain === undefined ? "hub" : (o.hubDomain ?? undefined);
  // hub n1 tells leaves to reconnect through the proxy, so a cut link stays cut.
  const hub = await NatsCluster.start({
    binary,
    ...(hubDomain ? { domain: hubDomain } : {}),
    leafnodeListen: true,
    leafnodeNoAdvertise: true,
    leafnodeAdvertise: [`127.0.0.1:${appLink.port}`],
  });
  appLink.targetPort = hub.servers[0]!.leafPort!;
  let edge: NatsCluster;
  try {
    const app = hub.account("APP");
    edge = await NatsCluster.start({
      binary,
      size: 1,
      domain: "edge",
      clusterName: `edge${hub.name}`,
      leafRemotes: [
        { url: `nats-leaf://${app.user}:${app.password}@127.0.0.1:${appLink.port}`, account: "APP" },
        {
          url: `nats-leaf://${SYS_USER.user}:${SYS_USER.password}@127.0.0.1:${hub.servers[1]!.leafPort}`,
          account: "SYS",
        },
      ],
    });
  } catch (e) {
    await hub.stop();
    await appLink.stop();
    throw e;
  }
  return {
    hub,
    edge,
    appLink,
    async stop() {
      await edge.stop();
      await hub.stop();
      await appLink.stop();
    },
  };
}

/** Adds a stream, retrying while a fresh cluster cannot place it yet ("no suitable peers"). */
export async function addStream(
  nc: NatsConnection,
  cfg: Partial<StreamConfig> & { name: string },
  timeoutMs = 30_000,
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await jsm.streams.add(cfg);
      return;
    } catch (e) {
      const msg = (e as Error).message;
      if (
        Date.now() > deadline ||
        !/no suitable peers|insufficient resources|temporarily unavailable|timeout/i.test(msg)
      )
        throw e;
      await sleep(500);
    }
  }
}

/** Publishes to a stream, retrying while a just-created stream's subject has no responders yet. */
export async function publishTo(nc: NatsConnection, subject: string, data = "x", timeoutMs = 15_000): Promise<void> {
  const js = jetstream(nc);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await js.publish(subject, data);
      return;
    } catch (e) {
      if (Date.now() > deadline || !/no responders|503/i.test((e as Error).message)) throw e;
      await sleep(200);
    }
  }
}
