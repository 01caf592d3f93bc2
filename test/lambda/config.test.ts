// What a deployed function runs with: the plain-text document from the stack, the stack's table
// and topic, credentials only from the secret; and the variables it needs, all named when missing.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../lib/errors.ts";
import { deployedConfig, parseConfigDocument } from "../../lib/lambda/config.ts";
import { LAMBDA_ENV, requiredEnv } from "../../lib/lambda/environment.ts";
import { MissingEnvironmentError } from "../../lib/lambda/errors.ts";
import { readScheduledEvent, startDelayMs } from "../../lib/lambda/event.ts";
import { ScheduleEventError } from "../../lib/lambda/errors.ts";

const resources = { table: "lookout-history", topicArn: "arn:aws:sns:us-east-1:123456789012:lookout-alerts" };

describe("Function: deployedConfig", () => {
  it("points history at the table and notification at the topic, with the secret's credentials", () => {
    const c = deployedConfig(
      { nats: { servers: ["nats://a:4222"] }, cluster: "prod", history: { ttlDays: 30 } },
      resources,
      { user: "sys", password: "pw" },
    );
    expect(c.history).toEqual({ kind: "dynamodb", table: "lookout-history", ttlDays: 30 });
    expect(c.notify).toEqual([{ kind: "sns", topicArn: resources.topicArn }]);
    expect(c.nats).toEqual({ servers: ["nats://a:4222"], user: "sys", password: "pw" });
    expect(c.clusterLabel).toBe("prod");
  });

  it("refuses credentials, a notifier or a history backend in the plain-text document", () => {
    const doc = {
      nats: { servers: ["nats://a:4222"], password: "pw" },
      notify: [{ kind: "terminal" }],
      history: { kind: "file", dir: "/tmp" },
    };
    let err: unknown;
    try {
      deployedConfig(doc, resources, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      "LOOKOUT_CONFIG: nats.password: credentials belong in the Secrets Manager secret, not in plain-text configuration",
      "LOOKOUT_CONFIG: notify: set by the stack (the SNS topic); remove it",
      "LOOKOUT_CONFIG: history.kind: set by the stack (the DynamoDB table); only history.ttlDays may be given",
      "LOOKOUT_CONFIG: history.dir: set by the stack (the DynamoDB table); only history.ttlDays may be given",
    ]);
    expect((err as Error).message).not.toContain('"pw"');
  });

  it("validates thresholds with the same parser as the CLI", () => {
    expect(() =>
      deployedConfig(
        { nats: { servers: ["nats://a:4222"] }, thresholds: { meta: { peerSeenCritical: "later" } } },
        resources,
        {},
      ),
    ).toThrow(/LOOKOUT_CONFIG: thresholds.meta.peerSeenCritical/);
  });

  it("says when LOOKOUT_CONFIG is not a JSON object", () => {
    expect(() => parseConfigDocument("{nats")).toThrow(/LOOKOUT_CONFIG: not valid JSON/);
    expect(() => parseConfigDocument("[]")).toThrow(/LOOKOUT_CONFIG: expected a JSON object/);
  });
});

describe("Function: requiredEnv", () => {
  it("names every missing variable at once", () => {
    expect(() =>
      requiredEnv({ [LAMBDA_ENV.config]: "{}", [LAMBDA_ENV.table]: " " }, ["config", "table", "topicArn", "secretArn"]),
    ).toThrow(new MissingEnvironmentError(["LOOKOUT_TABLE_NAME", "LOOKOUT_TOPIC_ARN", "LOOKOUT_SECRET_ARN"]).message);
  });

  it("returns the values by key", () => {
    expect(requiredEnv({ LOOKOUT_TABLE_NAME: "t" }, ["table"])).toEqual({ table: "t" });
  });
});

describe("Function: readScheduledEvent", () => {
  it("keeps the scheduler's fields and accepts a manual empty event", () => {
    const e = readScheduledEvent(
      { slice: "meta", scheduledTime: "2026-01-01T00:00:00Z", attempt: "1", other: 5 },
      "meta",
    );
    expect(e).toEqual({ slice: "meta", scheduledTime: "2026-01-01T00:00:00Z", attempt: "1" });
    expect(readScheduledEvent({}, "meta")).toEqual({});
    expect(readScheduledEvent(undefined, "meta")).toEqual({});
    expect(startDelayMs(e, Date.parse("2026-01-01T00:00:02.5Z"))).toBe(2500);
  });

  it("rejects an event meant for another slice, or not an object", () => {
    expect(() => readScheduledEvent({ slice: "streams" }, "meta")).toThrow(ScheduleEventError);
    expect(() => readScheduledEvent({ slice: "streams" }, "meta")).toThrow(
      /runs the meta slice but the event asks for "streams"/,
    );
    expect(() => readScheduledEvent("run", "meta")).toThrow(/expected a JSON object event/);
  });
});
