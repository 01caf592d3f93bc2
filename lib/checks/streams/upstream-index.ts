// Finds the stream a mirror or source copies from among the streams one run saw: in the same
// account and domain by name; through `$JS.<domain>.API` in that domain (the same account name
// first, else a unique name there); through any other prefix (an account import, which does not
// say which account) by a unique name in another account.
import type { StreamsSnapshot, StreamUpstream, StreamView } from "../../snapshot/streams.ts";
import { streamKey } from "../../snapshot/streams.ts";

export type Resolution = { view: StreamView } | { reason: string };

export class UpstreamIndex {
  private readonly exact = new Map<string, StreamView>();
  private byNameIndex: Map<string, StreamView[]> | undefined;
  private readonly domains = new Set<string>();
  private readonly gaps = new Map<string, string>();

  constructor(private readonly snap: Pick<StreamsSnapshot, "streams" | "servers" | "gaps">) {
    for (const v of snap.streams) this.exact.set(streamKey(v), v);
    for (const s of snap.servers) this.domains.add(s.domain ?? "");
    for (const g of snap.gaps) this.gaps.set(streamKey(g), g.reason);
  }

  /** By domain and name, across accounts: only upstreams through another API prefix need it, so built on first use. */
  private get byName(): Map<string, StreamView[]> {
    if (!this.byNameIndex) {
      this.byNameIndex = new Map();
      for (const v of this.snap.streams) {
        const k = `${v.domain ?? ""}/${v.name}`;
        const list = this.byNameIndex.get(k);
        if (list) list.push(v);
        else this.byNameIndex.set(k, [v]);
      }
    }
    return this.byNameIndex;
  }

  /** The upstream's stream as this run saw it, or why it cannot be found. */
  resolve(v: StreamView, u: StreamUpstream): Resolution {
    const name = u.name;
    if (u.api && u.domain === undefined) {
      const domain = v.domain ?? "";
      const others = (this.byName.get(`${domain}/${name}`) ?? []).filter((x) => x.account !== v.account);
      if (others.length === 1) return { view: others[0]! };
      return others.length
        ? {
            reason: `${others.length} streams named ${name} in other accounts (${others.map((x) => x.account).join(", ")}); ${u.api} does not say which`,
          }
        : { reason: `no stream named ${name} in another account answered (upstream through ${u.api})` };
    }
    const domain = u.domain ?? v.domain ?? "";
    if (!this.domains.has(domain))
      return { reason: `no server of JetStream domain ${domain} answered the monitor (upstream through ${u.api})` };
    const key = streamKey({ domain: domain || undefined, account: v.account, name });
    const same = this.exact.get(key);
    if (same) return { view: same };
    const gap = this.gaps.get(key);
    if (gap) return { reason: `${v.account} > ${name} was not judged this run: ${gap}` };
    if (u.domain !== undefined) {
      const elsewhere = this.byName.get(`${domain}/${name}`) ?? [];
      if (elsewhere.length === 1) return { view: elsewhere[0]! };
    }
    return {
      reason: `no stream ${name} in account ${v.account}${u.domain !== undefined ? ` of domain ${domain}` : ""} answered`,
    };
  }
}
