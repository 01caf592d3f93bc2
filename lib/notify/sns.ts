// Delivers a run's notices to one SNS topic, grouped and split as sns-plan.ts decides, with as few
// requests as PublishBatch allows. Throttling, 5xx and network errors are retried by the SDK's own
// retry (`maxAttempts`); whatever still fails is reported per notice, so the run keeps those
// notices pending, fails loudly, and sends them on its next run.
import {
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  type MessageAttributeValue,
  type PublishBatchRequestEntry,
  type SNSClientConfig,
} from "@aws-sdk/client-sns";
import type { Notice } from "../alerts/alert.ts";
import type { NotifierConfig } from "../config/config.ts";
import { MAX_PUBLISH_BYTES, type SnsMessage } from "./messages.ts";
import type { DeliveryContext, DeliveryResult, Notifier } from "./notifier.ts";
import { DEFAULT_PLAN, packBatches, planMessages, type PlanOptions } from "./sns-plan.ts";

/** Attempts per request, first included (the SDK's default is 3). */
export const DEFAULT_MAX_ATTEMPTS = 4;

interface CommonOptions {
  topicArn: string;
  /** Members listed by name in the text body (default 20). */
  listLimit?: number;
}

/** Either a client the caller owns, or settings for one this notifier builds and closes. */
export type SnsNotifierOptions = CommonOptions &
  ({ client: SNSClient; clientConfig?: never } | { client?: never; clientConfig?: SNSClientConfig });

/** `arn:aws:sns:<region>:<account>:<name>` -> region. */
export const regionOfTopic = (arn: string): string | undefined => arn.split(":")[3] || undefined;

export class SnsNotifier implements Notifier {
  readonly name: string;
  readonly topicArn: string;
  private readonly client: SNSClient;
  private readonly ownsClient: boolean;
  private readonly plan: PlanOptions;

  static fromConfig(c: Extract<NotifierConfig, { kind: "sns" }>): SnsNotifier {
    const clientConfig: SNSClientConfig = {};
    if (c.region) clientConfig.region = c.region;
    if (c.endpoint) clientConfig.endpoint = c.endpoint;
    return new SnsNotifier({ topicArn: c.topicArn, clientConfig });
  }

  /** The client settings this notifier uses unless told otherwise. */
  static clientConfigFor(topicArn: string, overrides: SNSClientConfig = {}): SNSClientConfig {
    const region = regionOfTopic(topicArn);
    return {
      ...(region ? { region } : {}),
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      // A hung endpoint must not hold a scheduled run until its own timeout.
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 15_000, throwOnRequestTimeout: true },
      ...overrides,
    };
  }

  constructor(o: SnsNotifierOptions) {
    this.topicArn = o.topicArn;
    this.name = `sns:${o.topicArn}`;
    this.ownsClient = !o.client;
    this.client = o.client ?? new SNSClient(SnsNotifier.clientConfigFor(o.topicArn, o.clientConfig));
    this.plan = { ...DEFAULT_PLAN, ...(o.listLimit !== undefined ? { listLimit: o.listLimit } : {}) };
  }

  async deliver(notices: readonly Notice[], ctx: DeliveryContext): Promise<DeliveryResult> {
    const delivered = new Set<string>();
    const failed = new Map<string, string>();
    const outcome = (m: SnsMessage, error?: string) => {
      for (const id of m.noticeIds) {
        if (error === undefined) delivered.add(id);
        else failed.set(id, error);
      }
    };
    const messages = planMessages(notices, ctx, this.plan);
    const sendable: SnsMessage[] = [];
    for (const m of messages) {
      if (m.bytes > MAX_PUBLISH_BYTES)
        outcome(m, `message of ${m.bytes} bytes exceeds SNS's ${MAX_PUBLISH_BYTES}-byte limit`);
      else sendable.push(m);
    }
    // Each request stands alone: one failing (a bad entry, a throttle past its retries) does not
    // stop the others from going out.
    for (const batch of packBatches(sendable)) {
      try {
        if (batch.length === 1) {
          const m = batch[0]!;
          await this.client.send(new PublishCommand({ TopicArn: this.topicArn, ...entry(m) }));
          outcome(m);
          continue;
        }
        const entries: PublishBatchRequestEntry[] = batch.map((m, i) => ({ Id: `m${i}`, ...entry(m) }));
        const r = await this.client.send(
          new PublishBatchCommand({ TopicArn: this.topicArn, PublishBatchRequestEntries: entries }),
        );
        const ok = new Set((r.Successful ?? []).map((s) => s.Id));
        const bad = new Map((r.Failed ?? []).map((f) => [f.Id, `${f.Code ?? "Failed"}: ${f.Message ?? "no message"}`]));
        batch.forEach((m, i) => {
          const id = `m${i}`;
          outcome(m, ok.has(id) ? undefined : (bad.get(id) ?? "SNS reported no outcome for this entry"));
        });
      } catch (e) {
        for (const m of batch) outcome(m, describeSnsError(e));
      }
    }
    return { delivered, failed };
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }
}

function entry(m: SnsMessage): {
  Subject: string;
  Message: string;
  MessageStructure: "json";
  MessageAttributes: Record<string, MessageAttributeValue>;
} {
  const MessageAttributes: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(m.attributes)) MessageAttributes[k] = { DataType: "String", StringValue: v };
  return { Subject: m.subject, Message: m.message, MessageStructure: "json", MessageAttributes };
}

/** `Throttling: Rate exceeded (after 4 attempts)`: what failed, secret-free. */
export function describeSnsError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const attempts = (e as Error & { $metadata?: { attempts?: number } }).$metadata?.attempts;
  return `${e.name}: ${e.message}${attempts && attempts > 1 ? ` (after ${attempts} attempts)` : ""}`;
}
