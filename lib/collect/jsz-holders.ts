// Holder accounting for `stream_leader_only` fan-outs (pure). With the option a leaderless stream,
// or one led by a silent server, vanishes from every reply; each answering server still says how
// many streams it holds (`streams`, every role). A server holding more streams than the replies
// place it in (leading or following) holds one nobody reported: only a full fan-out shows it.
import type { JszWire, StreamDetailWire, SysEnvelope } from "../nats/wire.ts";
import { streamKey } from "../snapshot/streams.ts";

/** Per server: the streams it says it holds, and those the replies so far place it in. */
export class HolderCount {
  private readonly seen = new Map<string, Set<string>>();
  private readonly held = new Map<string, number | undefined>();

  private note(server: string, stream: string): void {
    let set = this.seen.get(server);
    if (!set) this.seen.set(server, (set = new Set()));
    set.add(stream);
  }

  add(reply: SysEnvelope<JszWire>): void {
    const name = reply?.server?.name;
    if (!name || reply.error || !reply.data || reply.data.disabled) return;
    this.holds(name, reply.data.streams);
    for (const acc of reply.data.account_details ?? []) {
      for (const detail of acc.stream_detail ?? []) {
        if (!detail?.name) continue;
        this.places(name, streamKey({ domain: reply.server.domain, account: acc.name, name: detail.name }), detail);
      }
    }
  }

  /** A reply's own count of the streams its server holds (every role). */
  holds(server: string, count: unknown): void {
    this.held.set(server, typeof count === "number" ? count : undefined);
  }

  /** One entry of `server`'s reply for the stream `key`: its server, leader and replicas hold it. */
  places(server: string, key: string, detail: Pick<StreamDetailWire, "cluster">): void {
    this.note(server, key); // an entry of its own: older servers send followers' entries too
    if (detail.cluster?.leader) this.note(detail.cluster.leader, key);
    for (const p of detail.cluster?.replicas ?? []) if (p?.name) this.note(p.name, key);
  }

  /** Servers holding more streams than the replies account for (or not saying how many), sorted. */
  unaccounted(): string[] {
    const short = ([server, count]: [string, number | undefined]) =>
      count === undefined || count > (this.seen.get(server)?.size ?? 0);
    return [...this.held.entries()]
      .filter(short)
      .map(([server]) => server)
      .sort();
  }
}

/**
 * Servers holding streams that no reply shows them leading or following: under `stream_leader_only`
 * those streams are leaderless or led by a silent server, and only a full fan-out shows them.
 */
export function unaccountedHolders(replies: readonly SysEnvelope<JszWire>[]): string[] {
  const count = new HolderCount();
  for (const r of replies) count.add(r);
  return count.unaccounted();
}

/**
 * Whether a leader-only pass must be followed by a full fan-out, and because of which servers.
 * A full pass (the option not asked for) or one nobody answered never needs another.
 */
export function fullFanoutFor(pass: { leaderOnly: boolean; received: number; unaccounted: () => string[] }): string[] {
  if (!pass.leaderOnly || pass.received === 0) return [];
  return pass.unaccounted();
}
