// A supercluster on 127.0.0.1: two clusters of three servers joined by gateways (one JetStream meta
// group of six), and optionally a leaf server in its own JetStream domain joined over the system
// account (directly) and the APP account (through a relay a test can cut). Every gateway connection runs through a TcpProxy that each server advertises, so a test
// can cut the gateways between the clusters (and restore them) while every process keeps running.
import { freePort, NatsCluster, SYS_USER, waitFor, type ClusterOptions } from "./cluster.ts";
import { TcpProxy } from "./proxy.ts";
import type { ServerBinary } from "./servers.ts";

export interface SuperclusterOptions {
  binary: ServerBinary;
  /** Cluster names; default lkA<random>, lkB<random>. */
  names?: [string, string];
  /** Start a leaf server in JetStream domain `leaf`, joined to the first cluster's second server. */
  leaf?: boolean;
  extra?: Partial<ClusterOptions>;
}

export class Supercluster {
  private constructor(
    readonly clusters: [NatsCluster, NatsCluster],
    readonly proxies: TcpProxy[],
    readonly leaf: NatsCluster | undefined,
    /** The relay the leaf's APP-account remote runs through (its SYS remote is direct). */
    readonly leafProxy: TcpProxy | undefined,
  ) {}

  static async start(o: SuperclusterOptions): Promise<Supercluster> {
    const tag = Math.random().toString(36).slice(2, 6);
    const names = o.names ?? [`lkA${tag}`, `lkB${tag}`];
    const ports = [
      await Promise.all([0, 1, 2].map(() => freePort())),
      await Promise.all([0, 1, 2].map(() => freePort())),
    ];
    const proxies = await Promise.all(ports.flat().map((p) => TcpProxy.start(p)));
    const proxyOf = (c: number, i: number) => proxies[c * 3 + i]!;
    const urls = (c: number) => [0, 1, 2].map((i) => `"nats://127.0.0.1:${proxyOf(c, i).port}"`).join(", ");
    const gateway = (c: number) => (s: { index: number }) => `gateway {
  name: "${names[c]}"
  listen: "127.0.0.1:${ports[c]![s.index]}"
  advertise: "127.0.0.1:${proxyOf(c, s.index).port}"
  gateways: [ { name: "${names[0]}", urls: [ ${urls(0)} ] }, { name: "${names[1]}", urls: [ ${urls(1)} ] } ]
}`;
    const started = await Promise.allSettled(
      [0, 1].map((c) =>
        NatsCluster.start({
          binary: o.binary,
          clusterName: names[c]!,
          serverConfig: gateway(c),
          waitForMeta: false,
          leafnodeListen: c === 0 && o.leaf === true,
          // The leaf must stay on the URLs it was given (the relay), not learn the hub's others.
          leafnodeNoAdvertise: c === 0 && o.leaf === true,
          ...o.extra,
        }),
      ),
    );
    const ok = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    if (ok.length !== 2) {
      await Promise.all(ok.map((c) => c.stop()));
      await Promise.all(proxies.map((p) => p.stop()));
      throw (started.find((r) => r.status === "rejected") as PromiseRejectedResult).reason;
    }
    const sc = new Supercluster([ok[0]!, ok[1]!], proxies, undefined, undefined);
    try {
      await sc.waitForMetaLeader();
      if (o.leaf) {
        const hub = ok[0]!.servers[1]!;
        const app = ok[0]!.account("APP");
        const leafProxy = await TcpProxy.start(hub.leafPort);
        proxies.push(leafProxy);
        const leaf = await NatsCluster.start({
          binary: o.binary,
          size: 1,
          domain: "leaf",
          clusterName: `leaf${tag}`,
          leafRemotes: [
            { url: `nats-leaf://${SYS_USER.user}:${SYS_USER.password}@127.0.0.1:${hub.leafPort}`, account: "SYS" },
            { url: `nats-leaf://${app.user}:${app.password}@127.0.0.1:${leafProxy.port}`, account: "APP" },
          ],
        });
        return new Supercluster(sc.clusters, proxies, leaf, leafProxy);
      }
    } catch (e) {
      await sc.stop();
      throw e;
    }
    return sc;
  }

  get all(): NatsCluster[] {
    return [...this.clusters, ...(this.leaf ? [this.leaf] : [])];
  }

  runningUrls(): string[] {
    return this.clusters.flatMap((c) => c.runningUrls());
  }

  /** Waits until all six servers agree on one meta leader that sees its five peers current. */
  async waitForMetaLeader(timeoutMs = 60_000): Promise<string> {
    const servers = this.clusters.flatMap((c) => c.servers.map((s) => ({ c, s })));
    return waitFor(
      "one meta leader agreed by all six servers",
      async () => {
        const views = await Promise.all(servers.map(({ c, s }) => c.jsz(s.index)));
        const leaders = new Set(views.map((v) => v.meta_cluster?.leader ?? ""));
        const leader = leaders.size === 1 ? [...leaders][0] : undefined;
        if (!leader) return undefined;
        const lv = views[servers.findIndex(({ s }) => s.name === leader)];
        const peers = lv?.meta_cluster?.replicas ?? [];
        return lv?.meta_cluster?.cluster_size === 6 && peers.length === 5 && peers.every((r) => r.current && !r.offline)
          ? leader
          : undefined;
      },
      timeoutMs,
      300,
    );
  }

  /** Drops every gateway connection between the clusters and refuses new ones. */
  cutGateways(): void {
    for (const p of this.proxies) if (p !== this.leafProxy) p.cut();
  }
  restoreGateways(): void {
    for (const p of this.proxies) if (p !== this.leafProxy) p.restore();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((c) => c.stop()));
    await Promise.all(this.proxies.map((p) => p.stop()));
  }
}
