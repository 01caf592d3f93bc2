// One rule, one failing case: the construct's props checks and the environment file's checks,
// each with the message that says what to do. And problems come together, not one at a time.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Duration, Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import { describe, expect, it } from "vitest";
import { EnvironmentFileError, loadEnvironment, readEnvironment } from "../../infra/environment-file.ts";
import { NatsLookout } from "../../infra/lookout-construct.ts";
import type { LookoutNetworkProps, NatsLookoutProps } from "../../infra/lookout-props.ts";
import { LookoutPropsError, validateLookoutProps } from "../../infra/validate-props.ts";
import { baseProps, synthDocument, testApp } from "./synth.ts";

/** Builds the construct in a fresh stack; the network factory gets that stack for imports. */
function build(over: Partial<NatsLookoutProps> | ((stack: Stack) => Partial<NatsLookoutProps>)): void {
  const stack = new Stack(testApp(false), "V", { env: { account: "123456789012", region: "us-east-1" } });
  new NatsLookout(stack, "Lookout", baseProps(typeof over === "function" ? over(stack) : over));
}

const subnet = (
  stack: Stack,
  i: number,
  az: string | undefined,
  rtb: string | undefined = `rtb-0000000000000000${i}`,
) =>
  ec2.Subnet.fromSubnetAttributes(stack, `S${i}`, {
    subnetId: `subnet-0000000000000000${i}`,
    ...(az ? { availabilityZone: az } : {}),
    ...(rtb ? { routeTableId: rtb } : {}),
  });
const network = (stack: Stack, over: Partial<LookoutNetworkProps> = {}): LookoutNetworkProps => ({
  vpc: ec2.Vpc.fromVpcAttributes(stack, "Vpc", {
    vpcId: "vpc-00000000000000000",
    availabilityZones: ["us-east-1a", "us-east-1b"],
  }),
  natsCidrs: ["10.0.0.0/16"],
  awsApiAccess: "endpoints",
  ...over,
  subnets: over.subnets ?? [subnet(stack, 1, "us-east-1a"), subnet(stack, 2, "us-east-1b")],
});

describe("Construct: NatsLookout", () => {
  describe("validation", () => {
    const cases: [string, Partial<NatsLookoutProps> | ((stack: Stack) => Partial<NatsLookoutProps>), RegExp][] = [
      ["mode", { mode: "cluster" as "system" }, /mode: expected "system" or "account"/],
      [
        "meta slice in account mode",
        { mode: "account" },
        /slices.meta: the meta slice asks every server through \$SYS.REQ.SERVER.PING.JSZ.*in account mode deploy the streams slice only/,
      ],
      ["clusterLabel", { clusterLabel: " " }, /clusterLabel: empty; leave it out/],
      ["natsServers empty", { natsServers: [] }, /natsServers: give at least one NATS URL/],
      [
        "natsServers with credentials",
        { natsServers: ["nats://sys:hunter2@nats:4222"] },
        /natsServers: nats:\/\/\*\*\*@nats:4222 carries credentials; .* store them in the secret/,
      ],
      [
        "natsServers not URLs",
        { natsServers: ["http://nats:4222"] },
        /nats.servers\[0\] has an unsupported scheme "http" \(expected nats, tls, ws or wss\)/,
      ],
      ["settings key", { settings: { nats: {} } }, /settings.nats: not a setting here/],
      [
        "settings value",
        { settings: { thresholds: { meta: { peerSeenCritical: "soon" } } } },
        /settings: thresholds.meta.peerSeenCritical: "soon" is not a duration/,
      ],
      [
        "settings size",
        {
          settings: {
            thresholds: {
              streams: {
                overrides: Array.from({ length: 60 }, (_, i) => ({
                  stream: `STREAM_NUMBER_${i}`,
                  values: { "peer-seen-critical": "5m" },
                })),
              },
            },
          },
        },
        /Lambda allows 4 KB of environment variables/,
      ],
      [
        "severity of an unknown check",
        { settings: { alerts: { severity: { meta_peer_sen: "warning" } } } },
        /settings: alerts.severity.meta_peer_sen: unknown check id \(known: monitor_blind, /,
      ],
      [
        "severity value",
        { settings: { alerts: { severity: { mirror_stalled: "page" } } } },
        /settings: alerts.severity.mirror_stalled: expected "critical", "warning", "off", got "page"/,
      ],
      [
        "a meta schedule at which META_003 can never fire",
        { slices: { meta: { every: Duration.minutes(6) } } },
        /slices.meta.every: the meta slice runs every 6m against thresholds.meta.flap-window 10m: .* META_003 could never fire; run it at least every 5m/,
      ],
      ["historyTtlDays", { historyTtlDays: 0.5 }, /historyTtlDays: expected a whole number of days >= 1/],
      ["slices empty", { slices: {} }, /slices: deploy at least one slice/],
      [
        "slice unknown",
        { slices: { bogus: { every: Duration.minutes(1) } } as NatsLookoutProps["slices"] },
        /slices.bogus: unknown slice \(known: meta, streams, consumers, servers\)/,
      ],
      [
        "slice every under a minute or not whole minutes",
        { slices: { meta: { every: Duration.seconds(90) } } },
        /slices.meta.every: EventBridge Scheduler runs at most once a minute; use whole minutes/,
      ],
      [
        "every x missed runs over a day",
        { slices: { meta: { every: Duration.hours(12) } } },
        /slices.meta.every: 720 min x 3 missed runs exceeds the 24 h/,
      ],
      [
        "missedRunsBeforeAlarm",
        { missedRunsBeforeAlarm: 0 },
        /missedRunsBeforeAlarm: expected a whole number from 1 to 100/,
      ],
      [
        "functionTimeout range",
        { functionTimeout: Duration.minutes(20), slices: { meta: { every: Duration.minutes(30) } } },
        /functionTimeout: Lambda allows 1 s to 15 min/,
      ],
      [
        "functionTimeout vs schedule",
        { functionTimeout: Duration.minutes(2) },
        /functionTimeout: 120 s is not shorter than slices.meta.every \(60 s\)/,
      ],
      ["memorySize", { memorySize: 64 }, /memorySize: Lambda allows 128 to 10240 MB/],
      [
        "a slice's memorySize under Lambda's minimum",
        { slices: { consumers: { every: Duration.minutes(1), memorySize: 64 } } },
        /slices.consumers.memorySize: Lambda allows 128 to 10240 MB in whole MB, got 64/,
      ],
      [
        "a slice's memorySize not in whole MB",
        { slices: { meta: { every: Duration.minutes(1), memorySize: 300.5 } } },
        /slices.meta.memorySize: Lambda allows 128 to 10240 MB in whole MB, got 300.5/,
      ],
      ["serviceName", { serviceName: "nats lookout" }, /serviceName: "nats lookout" must be/],
      ["secret.userName", { secret: { userName: "bad user" } }, /secret.userName: "bad user" must be/],
      [
        "subscription e-mail",
        { subscriptions: [{ protocol: "email", endpoint: "ops.example.com" }] },
        /subscriptions\[0\]: "ops.example.com" is not an e-mail address/,
      ],
      [
        "subscription SMS",
        { subscriptions: [{ protocol: "sms", endpoint: "555-0100" }] },
        /subscriptions\[0\]: "555-0100" is not a phone number in E.164 form/,
      ],
      [
        "subscription HTTPS",
        { subscriptions: [{ protocol: "https", endpoint: "http://pager.example.com/hook" }] },
        /subscriptions\[0\]: "http:\/\/pager.example.com\/hook" is not an https:\/\/ URL/,
      ],
      [
        "subscription protocol",
        { subscriptions: [{ protocol: "slack" as "email", endpoint: "x" }] },
        /subscriptions\[0\].protocol: expected email, sms or https/,
      ],
      [
        "severities empty",
        { subscriptions: [{ protocol: "email", endpoint: "a@example.com", severities: [] }] },
        /subscriptions\[0\].severities: empty, so it would receive nothing/,
      ],
      [
        "severity unknown",
        { subscriptions: [{ protocol: "email", endpoint: "a@example.com", severities: ["page" as "critical"] }] },
        /subscriptions\[0\].severities: unknown severity "page"/,
      ],
      [
        "subscription twice",
        {
          subscriptions: [
            { protocol: "email", endpoint: "a@example.com" },
            { protocol: "email", endpoint: "A@example.com", severities: ["critical"] },
          ],
        },
        /subscriptions\[1\]: email A@example.com is subscribed twice/,
      ],
      [
        "network access",
        (st) => ({ network: network(st, { awsApiAccess: "proxy" as "nat" }) }),
        /network.awsApiAccess: expected "nat" .* or "endpoints"/,
      ],
      [
        "network subnets",
        (st) => ({ network: network(st, { subnets: [] }) }),
        /network.subnets: give the private subnets/,
      ],
      [
        "endpoint subnets need an AZ",
        (st) => ({ network: network(st, { subnets: [subnet(st, 5, undefined)] }) }),
        /interface endpoints need each subnet's availability zone/,
      ],
      [
        "endpoint subnets one per AZ",
        (st) => ({ network: network(st, { subnets: [subnet(st, 3, "us-east-1a"), subnet(st, 4, "us-east-1a")] }) }),
        /interface endpoints take one subnet per availability zone/,
      ],
      [
        "gateway endpoint needs route tables",
        (st) => ({ network: network(st, { awsApiAccess: "nat", subnets: [subnet(st, 6, "us-east-1a", "")] }) }),
        /import each subnet with its routeTableId, or set dynamoDbGatewayEndpoint to false/,
      ],
      [
        "created security group needs NATS CIDRs",
        (st) => ({ network: network(st, { natsCidrs: [] }) }),
        /network.natsCidrs: the functions' security group is created with egress only/,
      ],
      [
        "NATS CIDRs only for the created group",
        (st) => ({
          network: network(st, {
            securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(st, "G", "sg-00000000000000000")],
          }),
        }),
        /network.natsCidrs: applies only to the security group the construct creates/,
      ],
      [
        "NATS CIDR form",
        (st) => ({ network: network(st, { natsCidrs: ["10.0.0.0/33"] }) }),
        /network.natsCidrs: "10.0.0.0\/33" is not an IPv4 CIDR/,
      ],
    ];
    it.each(cases)("throws for %s", (_rule, over, message) => {
      expect(() => build(over)).toThrow(message);
    });

    it("throws when a slice has no handler file", () => {
      expect(validateLookoutProps(baseProps(), () => false)).toEqual([
        expect.stringMatching(/slices.meta: no handler at functions\/meta.ts; add it/),
      ]);
    });

    it("reports every problem at once, and never echoes a URL's password", () => {
      let err: unknown;
      try {
        build({
          natsServers: ["nats://sys:hunter2@nats:4222"],
          memorySize: 1,
          subscriptions: [{ protocol: "sms", endpoint: "x" }],
        });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LookoutPropsError);
      expect((err as LookoutPropsError).problems).toHaveLength(3);
      expect((err as Error).message).not.toContain("hunter2");
    });

    it("accepts the minimal props", () => {
      expect(validateLookoutProps(baseProps())).toEqual([]);
    });
  });
});

describe("Environment files", () => {
  const valid = () => ({
    account: "123456789012",
    region: "eu-west-1",
    nats: { servers: ["tls://nats:4222"] },
    secret: { create: {} } as Record<string, unknown>,
    slices: { meta: { every: "1m" } } as Record<string, unknown>,
  });
  const withNetwork = (n: Record<string, unknown>) => ({
    ...valid(),
    network: {
      vpcId: "vpc-0123456789abcdef0",
      subnets: [
        { id: "subnet-0123456789abcdef0", availabilityZone: "eu-west-1a", routeTableId: "rtb-0123456789abcdef0" },
      ],
      natsCidrs: ["10.0.0.0/8"],
      awsApiAccess: "nat",
      ...n,
    },
  });
  const cases: [string, unknown, RegExp][] = [
    ["not an object", [], /expected a JSON object/],
    ["unknown key", { ...valid(), schedule: {} }, /schedule: unknown key/],
    ["account", { ...valid(), account: "12345" }, /account: "12345" is not valid: the 12-digit AWS account id/],
    ["region", { ...valid(), region: "Europe" }, /region: "Europe" is not valid: an AWS region such as eu-west-1/],
    ["nats missing", { ...valid(), nats: undefined }, /nats: required/],
    ["nats.servers missing", { ...valid(), nats: {} }, /nats.servers: required: the NATS URLs/],
    [
      "nats.mode",
      { ...valid(), nats: { servers: ["nats://a:4222"], mode: "admin" } },
      /nats.mode: expected "system" or "account"/,
    ],
    ["secret missing", { ...valid(), secret: undefined }, /secret: required/],
    [
      "secret arn and create",
      { ...valid(), secret: { arn: "x", create: {} } },
      /secret: give exactly one of "arn" .* or "create"/,
    ],
    [
      "secret ARN without its suffix",
      { ...valid(), secret: { arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:nats-lookout/prod" } },
      /secret.arn: .* use the secret's complete ARN, ending in the 6-character suffix/,
    ],
    [
      "secret key ARN",
      {
        ...valid(),
        secret: { arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf", kmsKeyArn: "alias/mine" },
      },
      /secret.kmsKeyArn: "alias\/mine" is not valid: the ARN of the customer-managed KMS key/,
    ],
    [
      "secret key with a created secret",
      {
        ...valid(),
        secret: {
          create: {},
          kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f",
        },
      },
      /secret.kmsKeyArn: only for an existing secret/,
    ],
    ["slices missing", { ...valid(), slices: undefined }, /slices: required/],
    [
      "slice every missing",
      { ...valid(), slices: { meta: {} } },
      /slices.meta.every: required \(a duration such as "1m"/,
    ],
    [
      "slice every not a duration",
      { ...valid(), slices: { meta: { every: "often" } } },
      /slices.meta.every: "often" is not a duration/,
    ],
    ["subscriptions not a list", { ...valid(), subscriptions: {} }, /subscriptions: expected a list/],
    [
      "subscription protocol",
      { ...valid(), subscriptions: [{ protocol: "pager", endpoint: "x" }] },
      /subscriptions\[0\].protocol: expected "email", "sms" or "https"/,
    ],
    [
      "subscription endpoint",
      { ...valid(), subscriptions: [{ protocol: "email" }] },
      /subscriptions\[0\].endpoint: required/,
    ],
    ["vpcId", withNetwork({ vpcId: "my-vpc" }), /network.vpcId: "my-vpc" is not valid: a VPC id/],
    ["subnets missing", withNetwork({ subnets: [] }), /network.subnets: required: a list of/],
    [
      "subnet id",
      withNetwork({ subnets: [{ id: "private-a", availabilityZone: "eu-west-1a" }] }),
      /network.subnets\[0\].id: "private-a" is not valid: a subnet id/,
    ],
    [
      "subnet AZ",
      withNetwork({ subnets: [{ id: "subnet-0123456789abcdef0" }] }),
      /network.subnets\[0\].availabilityZone: required/,
    ],
    [
      "route table id",
      withNetwork({
        subnets: [{ id: "subnet-0123456789abcdef0", availabilityZone: "eu-west-1a", routeTableId: "main" }],
      }),
      /network.subnets\[0\].routeTableId: "main" is not valid: a route table id/,
    ],
    [
      "awsApiAccess",
      withNetwork({ awsApiAccess: "internet" }),
      /network.awsApiAccess: expected "nat" .* or "endpoints"/,
    ],
    [
      "security group ids",
      withNetwork({ securityGroupIds: ["default"], natsCidrs: undefined }),
      /network.securityGroupIds: "default" is not valid: a security group id/,
    ],
    [
      "log retention",
      { ...valid(), logRetentionDays: 10 },
      /logRetentionDays: CloudWatch Logs keeps logs for one of 1, 3, 5/,
    ],
    ["whole numbers", { ...valid(), memorySize: "big" }, /memorySize: expected a whole number/],
    [
      "a slice's memorySize",
      { ...valid(), slices: { meta: { every: "1m", memorySize: "512MB" } } },
      /slices.meta.memorySize: expected a whole number, got "512MB"/,
    ],
    [
      "a slice key",
      { ...valid(), slices: { meta: { every: "1m", memory: 512 } } },
      /slices.meta.memory: unknown key \(expected one of every, memorySize\)/,
    ],
    ["booleans", { ...valid(), retainData: "yes" }, /retainData: expected true or false/],
    ["durations", { ...valid(), functionTimeout: "-5s" }, /functionTimeout: must be positive/],
    [
      "settings, read as the handler reads them",
      { ...valid(), settings: { alerts: { severity: { stream_peer_seen: "loud" } } } },
      /settings: alerts.severity.stream_peer_seen: expected "critical", "warning", "off", got "loud"/,
    ],
    [
      "a meta schedule at which META_003 can never fire",
      { ...valid(), slices: { meta: { every: "15m" } }, settings: {} },
      /slices.meta.every: .*no leader change can ever be placed inside the window/,
    ],
    [
      "subscription severities",
      { ...valid(), subscriptions: [{ protocol: "email", endpoint: "a@b.c", severities: ["urgent"] }] },
      /subscriptions\[0\].severities: unknown severity "urgent"/,
    ],
  ];
  it.each(cases)("rejects %s", (_rule, doc, message) => {
    expect(() => readEnvironment(doc, "x")).toThrow(message);
  });

  it("rejects a slice's memorySize outside Lambda's range at synth, naming the file's key", () => {
    const doc = { ...valid(), slices: { consumers: { every: "1m", memorySize: 20_000 } } };
    expect(readEnvironment(doc, "x").slices.consumers).toEqual({ everyMs: 60_000, memorySize: 20_000 });
    expect(() => synthDocument(doc)).toThrow(
      /slices.consumers.memorySize: Lambda allows 128 to 10240 MB in whole MB, got 20000/,
    );
  });

  it("names a missing environment and lists the ones there are", () => {
    expect(() => loadEnvironment("qa")).toThrow(
      /infra\/environments\/qa.json:\n {2}- no such environment; choose one of prod, staging/,
    );
  });

  it("says when a file is not JSON", () => {
    const dir = mkdtempSync(join(tmpdir(), "lookout-envs-"));
    writeFileSync(join(dir, "broken.json"), "{ account: 1 ");
    expect(() => loadEnvironment("broken", dir)).toThrow(/broken.json:\n {2}- not valid JSON/);
  });

  it("collects every problem of a file into one error", () => {
    let err: unknown;
    try {
      readEnvironment({ account: "1", region: "x", nats: {}, secret: {}, slices: { meta: {} } }, "x");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EnvironmentFileError);
    expect((err as EnvironmentFileError).problems.length).toBeGreaterThanOrEqual(5);
  });

  it("accepts the minimal file", () => {
    expect(readEnvironment(valid(), "x").slices).toEqual({ meta: { everyMs: 60_000 } });
  });
});
