// One run of one slice, the same in Lambda, `lookout watch` and `lookout check`:
// collect -> load history -> evaluate -> reconcile -> claim -> notify -> settle and save.
//
// Delivery is at-least-once. Pending notices are claimed (saved with this run's id and a lease)
// before any notifier is called, conditional on the version this run loaded, so two overlapping
// runs cannot both send them. A run that crashes after notifying but before its last save leaves
// them claimed; once the lease lapses the next run sends them again (a duplicate, never a loss).
import { randomUUID } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";
import type { AlertBook, AlertState, LifecycleState, Notice } from "../alerts/alert.ts";
import { emptyBook } from "../alerts/alert.ts";
import { claim, deliverable, reconcile, settle } from "../alerts/reconcile.ts";
import { applySeverityPolicy } from "../checks/severity.ts";
import type { LookoutConfig } from "../config/config.ts";
import { HistoryConflictError } from "../errors.ts";
import { fingerprint, type Finding } from "../findings/finding.ts";
import { overallStatus, type Status } from "../findings/status.ts";
import { newRequestStats, type RequestStats } from "../nats/stats.ts";
import type { HistoryKey, HistoryStore, Loaded, SaveReport, SliceHistory } from "../history/store.ts";
import { historyKeyFor, resolveHistoryKey } from "./identity.ts";
import type { Notifier } from "../notify/notifier.ts";
import type { CollectContext, PerfItem, Slice, SnapshotBase } from "../slices/slice.ts";

export interface RunDeps {
  config: LookoutConfig;
  history: HistoryStore;
  notifiers: Notifier[];
  /** Opens (or reuses) a NATS connection; a rejection makes the run blind with its reason. */
  connection: () => Promise<NatsConnection>;
  /**
   * Drops the current connection so the next `connection()` reaches another server. Called once
   * when a run saw nothing through a connection that looked open: the server it is attached to
   * may be the hung one, and the rest of the cluster can still be seen.
   */
  failover?: () => Promise<void>;
  describeError?: (e: unknown) => string;
  now?: () => number;
  runId?: string;
  /**
   * Epoch ms by which collection must stop (e.g. the Lambda timeout less what saving and notifying
   * need). Collectors stop paging then and say in the snapshot what they could not finish.
   */
  deadline?: number;
  /** Told as the run moves on, so a caller that gives up on it can say where it hung. */
  onStage?: (slice: string, stage: RunStage) => void;
}

export type RunStage = "connect" | "history load" | "collect" | "notify" | "history save";

export type ReportedFinding = Finding & { state: LifecycleState };

export interface RunReport {
  slice: string;
  cluster: string;
  historyKey: string;
  runId: string;
  startedAt: number;
  durationMs: number;
  status: Status;
  findings: ReportedFinding[];
  resolved: AlertState[];
  /** Notices this run sent, and those still waiting for a later run. */
  notices: { sent: Notice[]; pending: number; failed: number };
  requests: RequestStats;
  history: { loadedVersion: number | undefined; saves: SaveReport[] };
  /** True when another run of this slice saved first; this one notified nothing. */
  superseded: boolean;
  /** Problems that must fail the run loudly (history or notifier failures). */
  errors: string[];
  /** The cluster's own numbers (plugin perfdata). */
  perf: PerfItem[];
}

export { historyKeyFor };

const SAVE_RETRIES = 3;

export async function runSlice<S extends SnapshotBase, O>(slice: Slice<S, O>, deps: RunDeps): Promise<RunReport> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const runId = deps.runId ?? randomUUID();
  const errors: string[] = [];
  const stats = newRequestStats();
  const saves: SaveReport[] = [];
  const stage = (name: RunStage) => deps.onStage?.(slice.name, name);

  // 1. Connect, then history: the key is the cluster's name, which the servers report (unless a
  // label is configured). A store that cannot be read must not lead to paging everything anew.
  stage("connect");
  let nc: NatsConnection | undefined;
  let connectError: unknown;
  try {
    nc = await deps.connection();
  } catch (e) {
    connectError = e;
  }
  stage("history load");
  let key: HistoryKey = historyKeyFor(deps.config, slice.name);
  let loaded: Loaded<O> | undefined;
  let historyOk = true;
  try {
    key = await resolveHistoryKey(deps.config, slice.name, deps.history, nc);
    loaded = await deps.history.load<O>(key);
  } catch (e) {
    historyOk = false;
    errors.push(`history load failed (${deps.history.kind}): ${(e as Error).message}`);
  }
  const previous = loaded?.doc.observations;
  const ctx: CollectContext<O> = { config: deps.config, stats, now, previous };
  if (deps.deadline !== undefined) ctx.deadline = deps.deadline;

  // 2. Collect: any failure to connect makes the run blind, never silent.
  stage("collect");
  const describe = (e: unknown) => (deps.describeError ? deps.describeError(e) : String((e as Error)?.message ?? e));
  const collect = async (conn: NatsConnection | undefined): Promise<S> => {
    try {
      if (!conn) throw connectError;
      return await slice.collect(conn, ctx);
    } catch (e) {
      return slice.blind(describe(e), ctx);
    }
  };
  let snap = await collect(nc);
  if (snap.blind && deps.failover) {
    await deps.failover();
    snap = await collect(await deps.connection().catch((e: unknown) => ((connectError = e), undefined)));
  }

  // 3. Evaluate (pure).
  const judged = slice.judge(snap, previous, deps.config);
  // How loud each check is, as the team configured it (alerts.severity), in one place for every slice.
  const findings = applySeverityPolicy(judged.findings, deps.config.alerts.severity);
  const observations = judged.observation;
  const cluster = snap.cluster ?? key.cluster;
  const report = (
    book: AlertBook | undefined,
    states: Map<string, LifecycleState>,
    resolved: AlertState[],
    sent: Notice[],
    failed: number,
    superseded: boolean,
  ): RunReport => ({
    slice: slice.name,
    cluster,
    historyKey: `${key.cluster}/${key.slice}`,
    runId,
    startedAt,
    durationMs: now() - startedAt,
    status: overallStatus(findings),
    findings: findings.map((f) => ({ ...f, state: states.get(fingerprint(f)) ?? "new" })),
    resolved,
    notices: { sent, pending: book?.outbox.length ?? 0, failed },
    requests: stats,
    history: { loadedVersion: loaded?.version, saves },
    superseded,
    errors,
    perf: slice.perf?.(snap) ?? [],
  });
  if (!historyOk) return report(undefined, new Map(), [], [], 0, false);

  // 4. Reconcile with the alert book.
  const policy = deps.config.alerts;
  const r = reconcile(
    loaded?.doc.book ?? emptyBook(),
    findings,
    startedAt,
    { ...policy, scope: slice.name },
    judged.covers,
  );
  let book = r.book;
  const doc = (b: AlertBook): SliceHistory<O> => ({ observations, book: b, runId, savedAt: now() });

  // 5. Claim what this run will deliver (skipped when no notifier has anything to send: one write a
  // run). A notice every configured notifier already has (or any notice, when none is configured:
  // the report itself shows it) leaves the outbox at settle time, so the outbox cannot grow forever.
  const names = deps.notifiers.map((n) => n.name);
  const toSend = deliverable(book, runId, now());
  const needsDelivery = toSend.some((x) => names.some((nm) => !x.deliveredTo?.includes(nm)));
  let version = loaded?.version;
  try {
    if (needsDelivery) {
      book = claim(book, new Set(toSend.map((n) => n.id)), runId, now(), policy.claimLeaseMs);
      const s = await deps.history.save(key, doc(book), version);
      saves.push(s);
      version = s.version;
    }
  } catch (e) {
    if (e instanceof HistoryConflictError) return report(book, r.states, r.resolved, [], 0, true);
    errors.push(`history save failed (${deps.history.kind}): ${(e as Error).message}`);
    return report(book, r.states, r.resolved, [], 0, false);
  }

  stage("notify");
  // 6. Notify: each notifier gets the notices it has not delivered yet.
  const deliveredBy = new Map<string, string[]>();
  const failed = new Map<string, string>();
  for (const x of toSend) if (names.every((nm) => x.deliveredTo?.includes(nm))) deliveredBy.set(x.id, []);
  for (const n of deps.notifiers) {
    const mine = toSend.filter((x) => !x.deliveredTo?.includes(n.name));
    if (!mine.length) continue;
    try {
      const res = await n.deliver(mine, { cluster, slice: slice.name, runId });
      for (const id of res.delivered) deliveredBy.set(id, [...(deliveredBy.get(id) ?? []), n.name]);
      for (const [id, why] of res.failed) failed.set(id, `${n.name}: ${why}`);
    } catch (e) {
      for (const x of mine) failed.set(x.id, `${n.name}: ${(e as Error).message}`);
    }
  }
  if (failed.size)
    errors.push(
      `${failed.size} notice(s) not delivered, kept for the next run: ${[...new Set(failed.values())].slice(0, 3).join("; ")}`,
    );
  const sent = toSend.filter((x) =>
    names.every((nm) => deliveredBy.get(x.id)?.includes(nm) || x.deliveredTo?.includes(nm)),
  );

  stage("history save");
  // 7. Settle and save; on a conflict, re-apply the outcome to what is stored now. A run that saved
  // in between loaded after this one and so collected later: its observations are the newer ones.
  let observed: O | undefined = observations;
  for (let attempt = 0; ; attempt++) {
    const settled = settle(book, deliveredBy, failed, names, now());
    try {
      saves.push(
        await deps.history.save(key, { observations: observed, book: settled, runId, savedAt: now() }, version),
      );
      book = settled;
      break;
    } catch (e) {
      if (!(e instanceof HistoryConflictError) || attempt >= SAVE_RETRIES) {
        errors.push(
          `history save failed (${deps.history.kind}): ${(e as Error).message}; delivered notices may be sent again`,
        );
        break;
      }
      const fresh = await deps.history.load<O>(key).catch(() => undefined);
      if (!fresh) {
        errors.push("history vanished during the run; delivered notices may be sent again");
        break;
      }
      book = fresh.doc.book;
      observed = fresh.doc.observations;
      version = fresh.version;
    }
  }
  return report(book, r.states, r.resolved, sent, failed.size, false);
}
