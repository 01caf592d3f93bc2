// A storm (500 streams failing because one server died) must reach people as a few messages, not
// 500 pages. Notices are grouped by what a responder acts on:
//
//   group key = state (new | reminder | resolved) + check id + severity + cluster
//               + the server they share (subject.peer, else subject.server, else none)
//
// so every stream that lost its replica on server n2 is one group, while a different check, another
// server, another severity or another state is another group. Severity is in the key so that a
// subscription filtering on severity receives every member of a group it receives.
import type { Notice, NoticeKind } from "../alerts/alert.ts";
import { SEVERITIES, type Severity } from "../findings/finding.ts";

/** The server a group's members share: the failing peer, else the server the finding names. */
export interface GroupAnchor {
  kind: "peer" | "server";
  name: string;
}

export interface NoticeGroup {
  key: string;
  state: NoticeKind;
  check: string;
  severity: Severity;
  /** The monitored cluster (its label, else its name): the same for every group of a run. */
  cluster: string;
  /**
   * The cluster of the servers the members name, where it is not `cluster` itself: in a supercluster,
   * one of its clusters; with a label, the name the servers report.
   */
  serverCluster?: string;
  anchor?: GroupAnchor;
  /** Members, ordered by fingerprint. */
  notices: Notice[];
}

const STATE_ORDER: readonly NoticeKind[] = ["new", "reminder", "resolved"];

export function anchorOf(n: Notice): GroupAnchor | undefined {
  const s = n.finding.subject;
  if (s.peer !== undefined) return { kind: "peer", name: s.peer };
  if (s.server !== undefined) return { kind: "server", name: s.server };
  return undefined;
}

/** The grouping rule above; `cluster` stands in for findings that do not name theirs. */
export function groupKey(n: Notice, cluster: string): string {
  const a = anchorOf(n);
  return JSON.stringify([
    n.kind,
    n.finding.id,
    n.finding.severity,
    n.finding.subject.cluster ?? cluster,
    a ? `${a.kind}=${a.name}` : "",
  ]);
}

/** Groups notices by the rule above: most severe first, then new before reminder before resolved. */
export function groupNotices(notices: readonly Notice[], cluster: string): NoticeGroup[] {
  const groups = new Map<string, NoticeGroup>();
  for (const n of notices) {
    const key = groupKey(n, cluster);
    let g = groups.get(key);
    if (!g) {
      g = {
        key,
        state: n.kind,
        check: n.finding.id,
        severity: n.finding.severity,
        cluster,
        notices: [],
      };
      const own = n.finding.subject.cluster;
      if (own !== undefined && own !== cluster) g.serverCluster = own;
      const a = anchorOf(n);
      if (a) g.anchor = a;
      groups.set(key, g);
    }
    g.notices.push(n);
  }
  const rank = (g: NoticeGroup) => [SEVERITIES.indexOf(g.severity), STATE_ORDER.indexOf(g.state)] as const;
  const out = [...groups.values()];
  for (const g of out) g.notices.sort((a, b) => compare(a.fingerprint, b.fingerprint) || a.at - b.at);
  return out.sort((a, b) => {
    const [sa, ta] = rank(a);
    const [sb, tb] = rank(b);
    return sa - sb || ta - tb || compare(a.check, b.check) || compare(a.key, b.key);
  });
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The cluster a group is about, for people: `prod`, or `prod/east` for one cluster of a supercluster. */
export function clusterLabel(g: Pick<NoticeGroup, "cluster" | "serverCluster">): string {
  return g.serverCluster ? `${g.cluster}/${g.serverCluster}` : g.cluster;
}

/** The values members of a group take for one subject field: one value, several, or none. */
export function sharedValue(
  notices: readonly Notice[],
  field: "account" | "stream",
): { kind: "one"; value: string } | { kind: "several" } | { kind: "none" } {
  const values = new Set(notices.map((n) => n.finding.subject[field]));
  if (values.size === 1) {
    const [v] = values;
    return v === undefined ? { kind: "none" } : { kind: "one", value: v };
  }
  return { kind: "several" };
}

/** The members of a group that travel in one message (a group too large for one is split). */
export interface GroupPart {
  group: NoticeGroup;
  notices: Notice[];
  /** 1-based. */
  part: number;
  parts: number;
}
