// Appends one JSON document per notice to a file: for scripts, log shippers and tests.
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Notice } from "../alerts/alert.ts";
import type { DeliveryContext, DeliveryResult, Notifier } from "./notifier.ts";
import { noticeDocument } from "./document.ts";

export class JsonLinesNotifier implements Notifier {
  readonly name: string;
  constructor(private readonly file: string) {
    this.name = `jsonl:${file}`;
  }

  async deliver(notices: readonly Notice[], ctx: DeliveryContext): Promise<DeliveryResult> {
    const delivered = new Set<string>();
    const failed = new Map<string, string>();
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, notices.map((n) => JSON.stringify(noticeDocument(n, ctx)) + "\n").join(""));
      for (const n of notices) delivered.add(n.id);
    } catch (e) {
      for (const n of notices) failed.set(n.id, (e as Error).message);
    }
    return { delivered, failed };
  }
}
