// Construct options the environment files do not exercise: NAT instead of endpoints, imported
// security groups, an existing gateway endpoint, a customer-managed secret key, no VPC, a created
// secret, data not retained, subscribers of every severity, function memory per slice.
import { type CfnElement, Duration, Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as kms from "aws-cdk-lib/aws-kms";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { describe, expect, it } from "vitest";
import { NatsLookout } from "../../infra/lookout-construct.ts";
import { natsPorts } from "../../infra/network.ts";
import { baseProps, functionIdOf, idByPath, ofType, only, synthConstruct, synthDocument, testApp } from "./synth.ts";

const vpcDoc = (network: object) => ({
  account: "123456789012",
  region: "us-east-1",
  nats: { servers: ["nats://10.0.1.10:4222", "nats://10.0.1.11:4333"] },
  secret: { create: {} },
  slices: { meta: { every: "1m" } },
  network: {
    vpcId: "vpc-0123456789abcdef0",
    subnets: [
      { id: "subnet-0123456789abcdef1", availabilityZone: "us-east-1a", routeTableId: "rtb-0123456789abcdef1" },
      { id: "subnet-0123456789abcdef2", availabilityZone: "us-east-1b", routeTableId: "rtb-0123456789abcdef2" },
    ],
    ...network,
  },
});

describe("Construct: NatsLookout", () => {
  describe("network", () => {
    it("uses the account's NAT for SNS and Secrets Manager: no interface endpoints, still the free DynamoDB gateway", () => {
      const { json } = synthDocument(vpcDoc({ natsCidrs: ["10.0.0.0/16"], awsApiAccess: "nat" }));
      const eps = ofType(json, "AWS::EC2::VPCEndpoint").map(([, r]) => r.Properties!.VpcEndpointType);
      expect(eps).toEqual(["Gateway"]);
      // Both NATS ports the URLs name are opened, to the NATS range only.
      const [, sg] = only(json, "AWS::EC2::SecurityGroup");
      expect(sg.Properties!.SecurityGroupEgress).toEqual([
        {
          CidrIp: "10.0.0.0/16",
          Description: "NATS client port 4222",
          FromPort: 4222,
          IpProtocol: "tcp",
          ToPort: 4222,
        },
        {
          CidrIp: "10.0.0.0/16",
          Description: "NATS client port 4333",
          FromPort: 4333,
          IpProtocol: "tcp",
          ToPort: 4333,
        },
        {
          CidrIp: "0.0.0.0/0",
          Description: "AWS APIs (DynamoDB, SNS, Secrets Manager)",
          FromPort: 443,
          IpProtocol: "tcp",
          ToPort: 443,
        },
      ]);
    });

    it("runs in the given security groups without changing them, and skips the gateway endpoint when told", () => {
      const { json } = synthDocument(
        vpcDoc({
          securityGroupIds: ["sg-0123456789abcdef0"],
          awsApiAccess: "endpoints",
          dynamoDbGatewayEndpoint: false,
        }),
      );
      expect(ofType(json, "AWS::EC2::VPCEndpoint").map(([, r]) => r.Properties!.VpcEndpointType)).toEqual([
        "Interface",
        "Interface",
      ]);
      const [, fn] = only(json, "AWS::Lambda::Function");
      expect((fn.Properties!.VpcConfig as { SecurityGroupIds: unknown }).SecurityGroupIds).toEqual([
        "sg-0123456789abcdef0",
      ]);
      // Only the endpoints' own groups exist; the imported one gets no new rules.
      expect(ofType(json, "AWS::EC2::SecurityGroup")).toHaveLength(2);
      expect(ofType(json, "AWS::EC2::SecurityGroupEgress")).toEqual([]);
      const ingress = ofType(json, "AWS::EC2::SecurityGroupIngress").map(([, r]) => r.Properties!);
      expect(ingress).toHaveLength(2);
      for (const i of ingress)
        expect(i).toMatchObject({ SourceSecurityGroupId: "sg-0123456789abcdef0", FromPort: 443, ToPort: 443 });
    });

    it("gives functions outside a VPC no VPC config and no network-interface permissions", () => {
      const { json } = synthConstruct(baseProps());
      const [, fn] = only(json, "AWS::Lambda::Function");
      expect(fn.Properties!.VpcConfig).toBeUndefined();
      expect(JSON.stringify(json)).not.toContain("ec2:CreateNetworkInterface");
    });

    it("reads NATS client ports from the URLs, the scheme's default when none is named", () => {
      expect(natsPorts(["tls://a:4222", "nats://b:7422", "c.example.com", "nats://[::1]:4223"])).toEqual([
        4222, 4223, 7422,
      ]);
      expect(natsPorts(["wss://nats.example.com", "ws://nats.example.com/"])).toEqual([80, 443]);
    });
  });

  describe("secret", () => {
    it("creates a secret with a generated password for the given user, retained by default", () => {
      const { json } = synthConstruct(baseProps({ secret: { userName: "monitor" } }));
      const [, secret] = only(json, "AWS::SecretsManager::Secret");
      expect(secret.Properties!.GenerateSecretString).toEqual({
        SecretStringTemplate: '{"user":"monitor"}',
        GenerateStringKey: "password",
        ExcludePunctuation: true,
        PasswordLength: 32,
      });
      expect(secret.DeletionPolicy).toBe("Retain");
    });

    it("lets the functions decrypt an existing secret's customer-managed key, and nothing more of it", () => {
      const app = testApp(false);
      const stack = new Stack(app, "T", { env: { account: "123456789012", region: "us-east-1" } });
      const keyArn = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f";
      const existingSecret = secretsmanager.Secret.fromSecretAttributes(stack, "S", {
        secretCompleteArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:lookout-AbCdEf",
        encryptionKey: kms.Key.fromKeyArn(stack, "K", keyArn),
      });
      new NatsLookout(stack, "Lookout", baseProps({ secret: { existingSecret } }));
      const json = app.synth().getStackByName("T").template as {
        Resources: Record<
          string,
          { Type: string; Properties: { Policies?: { PolicyDocument: { Statement: { Sid: string }[] } }[] } }
        >;
      };
      const role = Object.values(json.Resources).find((r) => r.Type === "AWS::IAM::Role" && r.Properties.Policies)!;
      expect(role.Properties.Policies![0]!.PolicyDocument.Statement).toContainEqual({
        Sid: "DecryptNatsCredentials",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: keyArn,
      });
      expect(ofType(json as never, "AWS::SecretsManager::Secret")).toEqual([]);
    });
  });

  describe("data retention", () => {
    it("destroys table, key, logs and created secret with the stack when retainData is false", () => {
      const { json } = synthConstruct(baseProps({ retainData: false }));
      for (const t of ["AWS::DynamoDB::Table", "AWS::KMS::Key", "AWS::Logs::LogGroup", "AWS::SecretsManager::Secret"]) {
        expect(ofType(json, t).map(([, r]) => r.DeletionPolicy)).toEqual(["Delete"]);
      }
      expect(only(json, "AWS::DynamoDB::Table")[1].Properties!.DeletionProtectionEnabled).toBe(false);
    });
  });

  describe("subscriptions", () => {
    it("keeps a subscription's id when the list is reordered (no re-confirmation)", () => {
      const a = { protocol: "email", endpoint: "a@example.com" } as const;
      const b = { protocol: "sms", endpoint: "+15555550100", severities: ["critical"] } as const;
      const ids = (subs: (typeof a | typeof b)[]) =>
        ofType(synthConstruct(baseProps({ subscriptions: subs })).json, "AWS::SNS::Subscription")
          .map(([id]) => id)
          .sort();
      expect(ids([a, b])).toEqual(ids([b, a]));
    });

    it("puts no filter policy on a subscriber of every severity; one without critical gets no alarms", () => {
      const { json } = synthConstruct(
        baseProps({
          subscriptions: [
            { protocol: "email", endpoint: "all@example.com", severities: ["info", "warning", "critical"] },
            { protocol: "email", endpoint: "warn@example.com", severities: ["warning"] },
          ],
        }),
      );
      const subs = ofType(json, "AWS::SNS::Subscription").map(([, r]) => r.Properties!);
      const alarmTopic = { Ref: idByPath(json, "AWS::SNS::Topic", "Lookout/MonitorAlarms/Resource") };
      expect(subs.filter((p) => p.Endpoint === "all@example.com").map((p) => p.FilterPolicy)).toEqual([
        undefined,
        undefined,
      ]);
      expect(
        subs
          .filter((p) => p.Endpoint === "warn@example.com")
          .map((p) => [JSON.stringify(p.TopicArn) === JSON.stringify(alarmTopic), p.FilterPolicy]),
      ).toEqual([[false, { severity: ["warning"] }]]);
    });
  });

  describe("function memory", () => {
    const every = Duration.minutes(1);
    const memoryOf = (json: ReturnType<typeof synthConstruct>["json"]) =>
      Object.fromEntries(
        ["meta", "streams", "consumers", "servers"].map((slice) => [
          slice,
          json.Resources[functionIdOf(json, slice)]!.Properties!.MemorySize,
        ]),
      );
    const all = { meta: { every }, streams: { every }, consumers: { every }, servers: { every } };

    it("gives the consumers function 512 MB and the others 256 when nothing is set", () => {
      expect(memoryOf(synthConstruct(baseProps({ slices: all })).json)).toEqual({
        meta: 256,
        streams: 256,
        consumers: 512,
        servers: 256,
      });
    });

    it("applies the construct's memorySize to every slice without its own, consumers included", () => {
      const { json } = synthConstruct(
        baseProps({ memorySize: 384, slices: { ...all, meta: { every, memorySize: 1024 } } }),
      );
      expect(memoryOf(json)).toEqual({ meta: 1024, streams: 384, consumers: 384, servers: 384 });
    });

    it("takes a slice's memorySize over the construct's, from props and from the environment file", () => {
      const { json } = synthConstruct(
        baseProps({ memorySize: 1024, slices: { ...all, consumers: { every, memorySize: 2048 } } }),
      );
      expect(memoryOf(json)).toEqual({ meta: 1024, streams: 1024, consumers: 2048, servers: 1024 });
      const file = synthDocument({
        account: "123456789012",
        region: "us-east-1",
        nats: { servers: ["tls://nats.example.com:4222"] },
        secret: { create: {} },
        slices: {
          meta: { every: "1m", memorySize: 192 },
          streams: { every: "1m" },
          consumers: { every: "1m", memorySize: 1536 },
          servers: { every: "1m" },
        },
        memorySize: 320,
      });
      expect(memoryOf(file.json)).toEqual({ meta: 192, streams: 320, consumers: 1536, servers: 320 });
    });
  });

  describe("exposed resources", () => {
    it("exposes what it built so callers can add alarms and grants", () => {
      const { construct } = synthConstruct(
        baseProps({ slices: { meta: { every: Duration.minutes(1) }, streams: { every: Duration.minutes(5) } } }),
      );
      expect(Object.keys(construct.slices).sort()).toEqual(["meta", "streams"]);
      for (const r of Object.values(construct.slices)) {
        expect(r.fn.runtime.name).toBe("nodejs22.x");
        // Tokens that resolve to the resources in the template (not merely some value).
        const stack = Stack.of(construct);
        expect(stack.resolve(r.errorAlarm.alarmArn)).toEqual({
          "Fn::GetAtt": [stack.getLogicalId(r.errorAlarm.node.defaultChild as CfnElement), "Arn"],
        });
        expect(stack.resolve(r.missedRunAlarm.alarmArn)).toEqual({
          "Fn::GetAtt": [stack.getLogicalId(r.missedRunAlarm.node.defaultChild as CfnElement), "Arn"],
        });
      }
      expect(Stack.of(construct).resolve(construct.table.tableArn)).toEqual({
        "Fn::GetAtt": [Stack.of(construct).getLogicalId(construct.table.node.defaultChild as CfnElement), "Arn"],
      });
      expect(construct.topic.topicArn).not.toBe(construct.alarmTopic.topicArn);
      expect(construct.network).toBeUndefined();
    });

    it("imports nothing by lookup: the VPC comes from the file's attributes", () => {
      const s = synthDocument(vpcDoc({ natsCidrs: ["10.0.0.0/16"], awsApiAccess: "nat" }));
      expect(s.stack.lookout.network!.vpc.vpcId).toBe("vpc-0123456789abcdef0");
      expect(s.stack.lookout.network!.vpc).not.toBeInstanceOf(ec2.Vpc);
    });
  });
});
