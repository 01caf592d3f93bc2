// Every server finding names the server and the cluster it belongs to (in a supercluster, its own
// cluster, not the meta group's name).
import type { Subject } from "../../findings/finding.ts";
import type { ServersSnapshot } from "../../snapshot/servers.ts";

export function serverSubject(snap: ServersSnapshot, s: { name: string; cluster?: string }): Subject {
  const cluster = s.cluster ?? snap.cluster;
  return cluster ? { cluster, server: s.name } : { server: s.name };
}

export const pct = (part: number, whole: number): number => (whole > 0 ? (100 * part) / whole : 0);
export const round1 = (x: number): number => Math.round(x * 10) / 10;
