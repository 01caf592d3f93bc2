// Test parts for lifecycle proofs on the real pipeline: a slice whose findings (and coverage) the
// test sets before each run, and notifiers built on the real JSON-lines notifier.
import { readFileSync, existsSync } from "node:fs";
import type { NatsConnection } from "@nats-io/transport-node";
import type { AlertState, Notice } from "../../lib/alerts/alert.ts";
import { finding } from "../../lib/checks/catalog.ts";
import type { Finding } from "../../lib/findings/finding.ts";
import type { NoticeDocument } from "../../lib/notify/document.ts";
import { JsonLinesNotifier } from "../../lib/notify/jsonl.ts";
import type { DeliveryContext, DeliveryResult, Notifier } from "../../lib/notify/notifier.ts";
import type { Slice, SnapshotBase } from "../../lib/slices/slice.ts";

export interface Script {
  findings: Finding[];
  /** Whether this run looked at an alert's subject (false: blind to it, it must not clear). */
  covers: (a: AlertState) => boolean;
}

interface ScriptedSnapshot extends SnapshotBase {
  findings: Finding[];
}

/** A slice that "collects" what the script says; it remembers how many runs it saw. */
export function scriptedSlice(script: Script): Slice<ScriptedSnapshot, { runs: number }> {
  return {
    name: "meta",
    collect: async (_nc, ctx) => ({
      collectedAt: ctx.now(),
      cluster: undefined,
      findings: [...script.findings],
      stats: ctx.stats,
    }),
    blind: (reason, ctx) => ({
      collectedAt: ctx.now(),
      cluster: undefined,
      blind: reason,
      findings: [],
      stats: ctx.stats,
    }),
    judge: (snap, prev) => ({
      findings: snap.findings,
      observation: { runs: (prev?.runs ?? 0) + 1 },
      covers: (a) => script.covers(a),
    }),
  };
}

/** The scripted slice never touches NATS. */
export const noConnection = async (): Promise<NatsConnection> => ({}) as NatsConnection;

export const peerSeen = (peer: string, activeMs = 40_000): Finding =>
  finding("meta_peer_seen", { cluster: "c1", peer }, `meta leader n1 last heard from ${peer} ${activeMs / 1000}s ago`, {
    active_ms: activeMs,
  });

/** What a JSON-lines file received, one notice document per line. */
export function received(file: string): NoticeDocument[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as NoticeDocument);
}

/** A real JSON-lines notifier that waits at a gate before delivering (a slow SNS, a slow webhook). */
export class GatedNotifier implements Notifier {
  readonly name: string;
  private readonly inner: JsonLinesNotifier;
  entered = 0;
  private open: Promise<void>;
  private release: () => void = () => undefined;
  private onEnter: (() => void)[] = [];
  constructor(file: string) {
    this.inner = new JsonLinesNotifier(file);
    this.name = this.inner.name;
    this.open = new Promise((r) => (this.release = r));
  }
  /** Resolves once a run is inside deliver(), held at the gate. */
  waitUntilEntered(): Promise<void> {
    return this.entered ? Promise.resolve() : new Promise((r) => this.onEnter.push(r));
  }
  openGate(): void {
    this.release();
  }
  async deliver(notices: readonly Notice[], ctx: DeliveryContext): Promise<DeliveryResult> {
    this.entered++;
    for (const f of this.onEnter.splice(0)) f();
    await this.open;
    return this.inner.deliver(notices, ctx);
  }
}
