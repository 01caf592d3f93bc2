// Notifiers deliver notices (alert transitions). Each reports which it delivered; a notice leaves
// the outbox only once every configured notifier delivered it.
import type { Notice } from "../alerts/alert.ts";
import type { SliceName } from "../core/slice-name.ts";

export interface DeliveryContext {
  cluster: string;
  slice: SliceName;
  runId: string;
}

export interface DeliveryResult {
  delivered: Set<string>;
  /** Notice id -> reason. */
  failed: Map<string, string>;
}

export interface Notifier {
  /** Stable name, recorded on notices it delivered (`terminal`, `jsonl:<file>`, `sns:<topic>`). */
  readonly name: string;
  deliver(notices: readonly Notice[], ctx: DeliveryContext): Promise<DeliveryResult>;
  close?(): Promise<void>;
}

export const allDelivered = (notices: readonly Notice[]): DeliveryResult => ({
  delivered: new Set(notices.map((n) => n.id)),
  failed: new Map(),
});
