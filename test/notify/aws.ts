// SNS topics with SQS subscribers on moto_server, and reading back what SNS delivered.
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { AwsTestEnv } from "../../lib/testbed/moto.ts";
import type { NoticeGroupDocument } from "../../lib/notify/document.ts";

export const clientConfig = (env: AwsTestEnv) => ({
  endpoint: env.endpoint,
  region: env.region,
  credentials: env.credentials,
});

/** What an SQS subscriber (raw delivery off) finds in a message body: SNS's envelope. */
export interface SnsEnvelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  /** The `sqs` key of the structured message. */
  Message: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

export interface Delivered {
  envelope: SnsEnvelope;
  /** Attribute name -> value. */
  attributes: Record<string, string>;
  doc: NoticeGroupDocument;
}

export async function createTopic(sns: SNSClient, name: string): Promise<string> {
  const r = await sns.send(new CreateTopicCommand({ Name: name }));
  if (!r.TopicArn) throw new Error("CreateTopic returned no ARN");
  return r.TopicArn;
}

export async function createQueue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const q = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const url = q.QueueUrl!;
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
  return { url, arn: attrs.Attributes!.QueueArn! };
}

export async function subscribeQueue(
  sns: SNSClient,
  topicArn: string,
  queueArn: string,
  filterPolicy?: object,
): Promise<void> {
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: "sqs",
      Endpoint: queueArn,
      ...(filterPolicy ? { Attributes: { FilterPolicy: JSON.stringify(filterPolicy) } } : {}),
    }),
  );
}

/** Everything in the queue now (moto delivers while Publish is answered), deleted once read. */
export async function drain(sqs: SQSClient, url: string): Promise<Delivered[]> {
  const out: Delivered[] = [];
  for (;;) {
    const r = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60 }),
    );
    const msgs = r.Messages ?? [];
    if (!msgs.length) return out;
    for (const m of msgs) {
      const envelope = JSON.parse(m.Body!) as SnsEnvelope;
      const attributes: Record<string, string> = {};
      for (const [k, v] of Object.entries(envelope.MessageAttributes ?? {})) attributes[k] = v.Value;
      out.push({ envelope, attributes, doc: JSON.parse(envelope.Message) as NoticeGroupDocument });
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: msgs.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}
