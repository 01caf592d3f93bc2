// How consumer findings name what they are about, and how an alert is matched back to a run.
import type { Subject } from "../../findings/finding.ts";
import type { ConsumersSnapshot } from "../../snapshot/consumers.ts";

type Located = { domain?: string | undefined; account: string; stream: string; name: string };

export function consumerSubject(
  snap: Pick<ConsumersSnapshot, "cluster" | "domain">,
  c: Located,
  extra: Partial<Subject> = {},
): Subject {
  const s: Subject = {};
  // Consumers of the monitored domain carry the cluster label; elsewhere their own domain.
  const cluster = (c.domain ?? "") === (snap.domain ?? "") ? snap.cluster : c.domain;
  if (cluster) s.cluster = cluster;
  s.account = c.account;
  s.stream = c.stream;
  s.consumer = c.name;
  return { ...s, ...extra };
}

/** `ACCOUNT > STREAM > CONSUMER`. */
export const consumerLabel = (c: Located): string => `${c.account} > ${c.stream} > ${c.name}`;

export const consumerCoverKey = (s: Subject): string =>
  `${s.cluster ?? ""}|${s.account ?? ""}|${s.stream ?? ""}|${s.consumer ?? ""}`;
