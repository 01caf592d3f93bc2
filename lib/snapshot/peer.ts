/**
 * A Raft group member as its leader reports it (meta group or stream), in the monitor's units.
 * Parsed once from the wire's `replicas[]` by `parsePeers` (lib/collect/peers.ts).
 */
export interface PeerView {
  name: string;
  current: boolean;
  offline: boolean;
  /** Time since the leader last heard from this peer. 0 with current=false: not since it became leader. */
  activeMs: number;
  /** Raft entries behind the leader. */
  lag: number;
  peerId?: string;
}
