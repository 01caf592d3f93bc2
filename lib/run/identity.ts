// Which history a run belongs to. Never the URL list (adding a server must not reset flap windows
// or alert state, and URLs may carry credentials): the configured cluster label, else the name the
// servers report. A run that cannot connect and has no label uses the name this history store last
// saw for an unlabelled cluster (a small pointer document), so its blind alert lands in the same
// book as the cluster's other alerts and resolves there.
import type { NatsConnection } from "@nats-io/transport-node";
import { emptyBook } from "../alerts/alert.ts";
import type { SliceName } from "../core/slice-name.ts";
import type { LookoutConfig } from "../config/config.ts";
import type { HistoryKey, HistoryStore } from "../history/store.ts";

/** The key of an unlabelled cluster no run has seen yet; adopted by the first run that does. */
export const UNNAMED_CLUSTER = "unnamed";
/** Pseudo cluster under which the pointer to the last-seen unlabelled cluster is kept. */
export const LAST_SEEN_KEY = "@last-seen";

interface Pointer {
  cluster: string;
}

/** The cluster name the connected server reports: its cluster, else its own name (not clustered). */
export function reportedName(nc: NatsConnection): string | undefined {
  const info = nc.info as { cluster?: string; server_name?: string } | undefined;
  return info?.cluster || info?.server_name || undefined;
}

export function historyKeyFor(config: LookoutConfig, slice: SliceName, reported?: string): HistoryKey {
  return { cluster: config.clusterLabel ?? reported ?? UNNAMED_CLUSTER, slice };
}

/**
 * The history key of this run. Without a label this costs one small read (and a write when the
 * reported name changed, or the first time): the pointer to the last-seen name.
 */
export async function resolveHistoryKey(
  config: LookoutConfig,
  slice: SliceName,
  store: HistoryStore,
  nc: NatsConnection | undefined,
): Promise<HistoryKey> {
  if (config.clusterLabel) return historyKeyFor(config, slice);
  const pointerKey: HistoryKey = { cluster: LAST_SEEN_KEY, slice };
  const pointer = await store.load<Pointer>(pointerKey);
  const reported = nc ? reportedName(nc) : undefined;
  if (!reported) return historyKeyFor(config, slice, pointer?.doc.observations?.cluster);
  if (pointer?.doc.observations?.cluster === reported) return historyKeyFor(config, slice, reported);

  const key = historyKeyFor(config, slice, reported);
  if (!pointer) await adoptUnnamed(store, key);
  const doc = { observations: { cluster: reported }, book: emptyBook(), runId: "identity", savedAt: Date.now() };
  await store.save<Pointer>(pointerKey, doc, pointer?.version).catch(() => undefined); // a racing run wrote it
  return key;
}

/** Alerts raised before the cluster's name was known (blind from the start) move to its history. */
async function adoptUnnamed(store: HistoryStore, key: HistoryKey): Promise<void> {
  const unnamed = await store.load({ cluster: UNNAMED_CLUSTER, slice: key.slice });
  if (!unnamed || (await store.load(key))) return;
  await store.save(key, unnamed.doc, undefined).catch(() => undefined);
}
