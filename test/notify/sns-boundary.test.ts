// What moto cannot show, asserted on the exact requests the real SNS client sends: retries on
// throttling and 5xx, per-entry failures in a batch, and how a storm is split and packed. A
// scripted request handler sits in the real client; requests it lets through go to moto_server.
import { Readable } from "node:stream";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MotoServer } from "../../lib/testbed/moto.ts";
import { freePort } from "../../lib/testbed/cluster.ts";
import { DEFAULT_MAX_ATTEMPTS, SnsNotifier } from "../../lib/notify/sns.ts";
import { buildConfig } from "../../lib/config/load.ts";
import { notifiersFor } from "../../lib/run/wiring.ts";
import { MAX_PUBLISH_BYTES } from "../../lib/notify/messages.ts";
import type { NoticeGroupDocument } from "../../lib/notify/document.ts";
import type { ProtocolBodies } from "../../lib/notify/messages.ts";
import { clientConfig, createQueue, createTopic, drain, subscribeQueue } from "./aws.ts";
import { CTX, notice, replicaStorm } from "./notices.ts";

/** The parts of the SDK's HTTP request and response this handler reads and writes. */
interface WireRequest {
  method: string;
  path: string;
  body?: unknown;
}
interface WireResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Readable;
}
interface RequestHandlerLike {
  handle(request: WireRequest, options?: object): Promise<{ response: WireResponse }>;
}

/** A request as SNS receives it: awsQuery form fields. */
class Sent {
  readonly form: URLSearchParams;
  constructor(readonly body: string) {
    this.form = new URLSearchParams(body);
  }
  get action(): string {
    return this.form.get("Action") ?? "";
  }
  /** Each message of the request (one for Publish, up to ten for PublishBatch). */
  get entries(): { subject: string; message: string; attributes: Record<string, string>; bytes: number }[] {
    const read = (prefix: string) => {
      const attributes: Record<string, string> = {};
      for (let i = 1; this.form.has(`${prefix}MessageAttributes.entry.${i}.Name`); i++) {
        attributes[this.form.get(`${prefix}MessageAttributes.entry.${i}.Name`)!] = this.form.get(
          `${prefix}MessageAttributes.entry.${i}.Value.StringValue`,
        )!;
      }
      const subject = this.form.get(`${prefix}Subject`) ?? "";
      const message = this.form.get(`${prefix}Message`) ?? "";
      let bytes = Buffer.byteLength(subject) + Buffer.byteLength(message);
      for (const [k, v] of Object.entries(attributes))
        bytes += Buffer.byteLength(k) + "String".length + Buffer.byteLength(v);
      return { subject, message, attributes, bytes };
    };
    if (this.action === "Publish") return [read("")];
    const out = [];
    for (let i = 1; this.form.has(`PublishBatchRequestEntries.member.${i}.Id`); i++)
      out.push(read(`PublishBatchRequestEntries.member.${i}.`));
    return out;
  }
}

type Script = (attempt: number, sent: Sent) => WireResponse | "forward";

/** Records every request; answers as the script says, or lets it through to the real endpoint. */
class ScriptedHandler {
  readonly sent: Sent[] = [];
  constructor(
    private readonly forward: RequestHandlerLike,
    private readonly script: Script,
  ) {}
  async handle(request: WireRequest, options?: object): Promise<{ response: WireResponse }> {
    const sent = new Sent(typeof request.body === "string" ? request.body : "");
    this.sent.push(sent);
    const r = this.script(this.sent.length, sent);
    return r === "forward" ? this.forward.handle(request, options) : { response: r };
  }
  updateHttpClientConfig(): void {}
  httpHandlerConfigs(): object {
    return {};
  }
  destroy(): void {}
}

const xml = (statusCode: number, body: string): WireResponse => ({
  statusCode,
  headers: { "content-type": "text/xml" },
  body: Readable.from([Buffer.from(body)]),
});
const errorXml = (statusCode: number, code: string, message: string) =>
  xml(
    statusCode,
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${statusCode < 500 ? "Sender" : "Receiver"}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-${code}</RequestId></ErrorResponse>`,
  );

describe("SnsNotifier at the SDK boundary", () => {
  let moto: MotoServer;
  let sqs: SQSClient;
  let sns: SNSClient;
  let topicArn: string;
  let queueUrl: string;

  beforeAll(async () => {
    moto = await MotoServer.start();
    sqs = new SQSClient(clientConfig(moto.env));
    sns = new SNSClient(clientConfig(moto.env));
  });
  afterAll(async () => {
    sqs?.destroy();
    sns?.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    topicArn = await createTopic(sns, "lookout-boundary");
    const q = await createQueue(sqs, "everything");
    queueUrl = q.url;
    await subscribeQueue(sns, topicArn, q.arn);
  });

  /** A notifier whose real client sends through `script`, with the notifier's own retry settings. */
  function scripted(script: Script) {
    const handler = new ScriptedHandler(sns.config.requestHandler as RequestHandlerLike, script);
    const notifier = new SnsNotifier({
      topicArn,
      clientConfig: { ...clientConfig(moto.env), requestHandler: handler },
    });
    return { handler, notifier };
  }

  it("retries a throttled publish with the same request and delivers it", async () => {
    const { handler, notifier } = scripted((attempt) =>
      attempt === 1 ? errorXml(400, "Throttling", "Rate exceeded") : "forward",
    );
    const n = notice(
      "meta_peer_seen",
      { cluster: "c1", peer: "c1-n2" },
      "meta leader c1-n1 last heard from c1-n2 9s ago (threshold 3s)",
    );
    const r = await notifier.deliver([n], { ...CTX, slice: "meta" });
    expect([...r.delivered]).toEqual([n.id]);
    expect(r.failed.size).toBe(0);
    expect(handler.sent.map((s) => s.action)).toEqual(["Publish", "Publish"]);
    expect(handler.sent[1]!.body).toBe(handler.sent[0]!.body);
    const got = await drain(sqs, queueUrl);
    expect(got.map((d) => d.doc.notices[0]!.id)).toEqual([n.id]);
    await notifier.close();
  });

  it(`retries 5xx up to ${DEFAULT_MAX_ATTEMPTS} attempts, then reports every notice failed with the reason`, async () => {
    const { handler, notifier } = scripted(() => errorXml(503, "ServiceUnavailable", "try later"));
    const ns = [...replicaStorm(3), notice("monitor_partial", { cluster: "c1" }, "2 of 3 servers answered")];
    const r = await notifier.deliver(ns, CTX);
    expect(r.delivered.size).toBe(0);
    expect([...r.failed.keys()].sort()).toEqual(ns.map((n) => n.id).sort());
    expect(new Set(r.failed.values())).toEqual(
      new Set([`ServiceUnavailable: try later (after ${DEFAULT_MAX_ATTEMPTS} attempts)`]),
    );
    // Two groups travel in one PublishBatch request, sent DEFAULT_MAX_ATTEMPTS times.
    expect(handler.sent.map((s) => [s.action, s.entries.length])).toEqual(
      Array.from({ length: DEFAULT_MAX_ATTEMPTS }, () => ["PublishBatch", 2]),
    );
    expect(await drain(sqs, queueUrl)).toEqual([]);
    await notifier.close();
  });

  it("does not retry a request SNS refuses for good (a missing topic)", async () => {
    const { handler, notifier } = scripted(() => errorXml(404, "NotFound", "Topic does not exist"));
    const n = notice("monitor_blind", { cluster: "c1" }, "monitor is blind: connection refused");
    const r = await notifier.deliver([n], CTX);
    expect(r.failed.get(n.id)).toBe("NotFoundException: Topic does not exist");
    expect(handler.sent).toHaveLength(1);
    await notifier.close();
  });

  it("reports only the entries a batch failed, delivering the rest", async () => {
    const { handler, notifier } = scripted(() =>
      xml(
        200,
        `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult>
        <Successful><member><Id>m0</Id><MessageId>id-0</MessageId></member></Successful>
        <Failed><member><Id>m1</Id><Code>InternalError</Code><Message>entry failed</Message><SenderFault>false</SenderFault></member></Failed>
        </PublishBatchResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishBatchResponse>`,
      ),
    );
    const critical = replicaStorm(2);
    const warning = notice("monitor_partial", { cluster: "c1" }, "2 of 3 servers answered");
    const r = await notifier.deliver([warning, ...critical], CTX);
    expect(handler.sent).toHaveLength(1);
    const [first, second] = handler.sent[0]!.entries;
    expect(first!.attributes.severity).toBe("critical"); // m0: the critical group
    expect(second!.attributes.severity).toBe("warning"); // m1
    expect([...r.delivered].sort()).toEqual(critical.map((n) => n.id).sort());
    expect([...r.failed]).toEqual([[warning.id, "InternalError: entry failed"]]);
    await notifier.close();
  });

  it("splits a 2,000-stream storm into parts under 256 KB and packs small groups into PublishBatch", async () => {
    const { handler, notifier } = scripted(() => "forward");
    const storm = replicaStorm(2000, "c1-n2");
    const small = Array.from({ length: 12 }, (_, i) => replicaStorm(2, `c1-n${10 + i}`)).flat();
    const r = await notifier.deliver([...storm, ...small], CTX);
    expect(r.failed.size).toBe(0);
    expect(r.delivered.size).toBe(storm.length + small.length);

    for (const s of handler.sent) {
      expect(["Publish", "PublishBatch"]).toContain(s.action);
      expect(s.entries.length).toBeLessThanOrEqual(10);
      expect(s.entries.reduce((t, e) => t + e.bytes, 0)).toBeLessThanOrEqual(MAX_PUBLISH_BYTES);
    }
    const entries = handler.sent.flatMap((s) => s.entries);
    const stormParts = entries.filter((e) => e.attributes.stream === "multiple" && e.subject.includes("2000 alerts"));
    expect(stormParts.length).toBeGreaterThan(1);
    expect(stormParts.length).toBeLessThanOrEqual(20);
    const docs = stormParts.map(
      (e) => JSON.parse((JSON.parse(e.message) as ProtocolBodies).sqs) as NoticeGroupDocument,
    );
    expect(docs.flatMap((d) => d.notices.map((n) => n.id)).sort()).toEqual(storm.map((n) => n.id).sort());
    expect(docs.map((d) => d.group.part).sort((a, b) => a - b)).toEqual(docs.map((_, i) => i + 1));
    // Twelve small groups (2 alerts each) share requests instead of taking one each.
    const smallEntries = entries.length - stormParts.length;
    expect(smallEntries).toBe(12);
    expect(handler.sent.length).toBeLessThan(entries.length);

    // And moto delivered exactly those messages.
    const got = await drain(sqs, queueUrl);
    expect(got).toHaveLength(entries.length);
    await notifier.close();
  });

  it("is built from configuration: the topic's region from its ARN, the endpoint as configured", async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    // moto's dummy keys, for the SDK's default credential chain (what a deployment uses).
    process.env.AWS_ACCESS_KEY_ID = moto.env.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = moto.env.credentials.secretAccessKey;
    try {
      const config = buildConfig({ notify: [{ kind: "sns", topicArn, endpoint: moto.endpoint }] }, {});
      const [notifier] = await notifiersFor(config.notify);
      expect(notifier!.name).toBe(`sns:${topicArn}`);
      const n = notice("monitor_blind", { cluster: "c1" }, "monitor is blind: connection refused");
      const r = await notifier!.deliver([n], CTX);
      expect([...r.delivered]).toEqual([n.id]);
      expect((await drain(sqs, queueUrl)).map((d) => d.attributes.check)).toEqual(["monitor_blind"]);
      await notifier!.close?.();
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });

  it("fails every notice, loudly, when nothing listens at the endpoint", async () => {
    const port = await freePort();
    const notifier = new SnsNotifier({
      topicArn,
      clientConfig: { ...clientConfig(moto.env), endpoint: `http://127.0.0.1:${port}` },
    });
    const ns = replicaStorm(2);
    const r = await notifier.deliver(ns, CTX);
    expect(r.delivered.size).toBe(0);
    expect(r.failed.size).toBe(2);
    expect([...r.failed.values()][0]).toMatch(/ECONNREFUSED/);
    await notifier.close();
  });
});
