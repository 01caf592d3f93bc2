// `replicas[]` of a meta group or a stream (Go time.Duration `active` in nanoseconds, omitempty
// fields) into PeerViews: the one place the wire's peer shape is read.
import type { PeerView } from "../snapshot/peer.ts";
import { num } from "./values.ts";
import { nanosToMs } from "../thresholds/duration.ts";

export function parsePeers(replicas: unknown): PeerView[] {
  if (!Array.isArray(replicas)) return [];
  return replicas
    .filter(
      (p): p is Record<string, unknown> =>
        typeof p === "object" && p !== null && typeof (p as { name?: unknown }).name === "string",
    )
    .map((p) => {
      const peer: PeerView = {
        name: p.name as string,
        current: p.current === true,
        offline: p.offline === true,
        activeMs: nanosToMs(num(p.active)),
        lag: num(p.lag),
      };
      if (typeof p.peer === "string") peer.peerId = p.peer;
      return peer;
    });
}
