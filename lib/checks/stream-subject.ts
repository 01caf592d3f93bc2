// How stream findings name what they are about, and how an alert's subject is matched back to the
// streams a run judged.
import type { Subject } from "../findings/finding.ts";
import type { StreamsSnapshot } from "../snapshot/streams.ts";

type Located = { domain?: string | undefined; cluster?: string | undefined; account: string; name: string };

/** The cluster a stream's findings name: the monitored cluster, or the stream's own domain elsewhere. */
export function subjectCluster(
  snap: Pick<StreamsSnapshot, "cluster" | "domain">,
  s: { domain?: string | undefined; cluster?: string | undefined },
): string | undefined {
  if ((s.domain ?? "") === (snap.domain ?? "")) return snap.cluster;
  return s.domain ?? s.cluster;
}

export function subjectOf(
  snap: Pick<StreamsSnapshot, "cluster" | "domain">,
  v: Located,
  extra: Partial<Subject> = {},
): Subject {
  const s: Subject = {};
  const c = subjectCluster(snap, v);
  if (c) s.cluster = c;
  s.account = v.account;
  s.stream = v.name;
  return { ...s, ...extra };
}

/** `ACCOUNT > STREAM`, as the nats CLI writes it. */
export const label = (v: { account: string; name: string }): string => `${v.account} > ${v.name}`;

export const coverKey = (s: Subject): string => `${s.cluster ?? ""}|${s.account ?? ""}|${s.stream ?? ""}`;
