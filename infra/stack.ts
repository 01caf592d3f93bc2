// One stack per environment: the environment file's settings turned into NatsLookout props.
// Existing resources (VPC, subnets, security groups, secret) are imported by attributes from the
// file, never looked up, so `cdk synth` runs offline without AWS credentials.
import { Duration, Stack, Tags, type StackProps } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as kms from "aws-cdk-lib/aws-kms";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import type { EnvironmentSettings } from "./environment-file.ts";
import { NatsLookout } from "./lookout-construct.ts";
import type {
  LookoutNetworkProps,
  LookoutSecretProps,
  NatsLookoutProps,
  SliceDeployment,
  SliceName,
} from "./lookout-props.ts";

export const stackNameFor = (env: string): string => `NatsLookout-${env}`;

export class LookoutStack extends Stack {
  readonly lookout: NatsLookout;

  constructor(scope: Construct, settings: EnvironmentSettings, props: StackProps = {}) {
    super(scope, stackNameFor(settings.name), {
      ...props,
      env: { account: settings.account, region: settings.region },
      description: `nats-lookout (${settings.name}): scheduled NATS JetStream health checks, history, alerts`,
    });
    Tags.of(this).add("project", "nats-lookout");
    Tags.of(this).add("environment", settings.name);
    this.lookout = new NatsLookout(this, "Lookout", this.propsFrom(settings));
  }

  private propsFrom(s: EnvironmentSettings): NatsLookoutProps {
    const slices: Partial<Record<SliceName, SliceDeployment>> = {};
    for (const [name, v] of Object.entries(s.slices))
      slices[name as SliceName] = {
        every: Duration.millis(v.everyMs),
        ...(v.memorySize === undefined ? {} : { memorySize: v.memorySize }),
      };
    let secret: LookoutSecretProps;
    if ("arn" in s.secret) {
      secret = {
        existingSecret: secretsmanager.Secret.fromSecretAttributes(this, "NatsSecret", {
          secretCompleteArn: s.secret.arn,
          ...(s.secret.kmsKeyArn
            ? { encryptionKey: kms.Key.fromKeyArn(this, "NatsSecretKey", s.secret.kmsKeyArn) }
            : {}),
        }),
      };
    } else {
      secret = s.secret.create.user ? { userName: s.secret.create.user } : {};
    }
    const props: {
      -readonly [K in keyof NatsLookoutProps]: NatsLookoutProps[K];
    } = {
      natsServers: s.nats.servers,
      slices,
      secret,
      subscriptions: s.subscriptions,
      serviceName: `nats-lookout-${s.name}`,
    };
    if (s.nats.mode) props.mode = s.nats.mode;
    if (s.nats.cluster) props.clusterLabel = s.nats.cluster;
    if (s.settings) props.settings = s.settings;
    if (s.network) props.network = this.networkFrom(s.network);
    if (s.retainData !== undefined) props.retainData = s.retainData;
    if (s.historyTtlDays !== undefined) props.historyTtlDays = s.historyTtlDays;
    if (s.functionTimeoutMs !== undefined) props.functionTimeout = Duration.millis(s.functionTimeoutMs);
    if (s.memorySize !== undefined) props.memorySize = s.memorySize;
    if (s.logRetentionDays !== undefined) props.logRetention = s.logRetentionDays;
    if (s.missedRunsBeforeAlarm !== undefined) props.missedRunsBeforeAlarm = s.missedRunsBeforeAlarm;
    if (s.detailedMetrics !== undefined) props.detailedMetrics = s.detailedMetrics;
    return props;
  }

  private networkFrom(n: NonNullable<EnvironmentSettings["network"]>): LookoutNetworkProps {
    const azs = [...new Set(n.subnets.map((s) => s.availabilityZone))];
    const vpc = ec2.Vpc.fromVpcAttributes(this, "Vpc", { vpcId: n.vpcId, availabilityZones: azs });
    const subnets = n.subnets.map((s, i) =>
      ec2.Subnet.fromSubnetAttributes(this, `Subnet${i}`, {
        subnetId: s.id,
        availabilityZone: s.availabilityZone,
        ...(s.routeTableId ? { routeTableId: s.routeTableId } : {}),
      }),
    );
    // Imported groups are not modified: their owners keep control of their rules.
    const securityGroups = n.securityGroupIds?.map((id, i) =>
      ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup${i}`, id, { mutable: false }),
    );
    const out: { -readonly [K in keyof LookoutNetworkProps]: LookoutNetworkProps[K] } = {
      vpc,
      subnets,
      awsApiAccess: n.awsApiAccess,
    };
    if (securityGroups) out.securityGroups = securityGroups;
    if (n.natsCidrs) out.natsCidrs = n.natsCidrs;
    if (n.dynamoDbGatewayEndpoint !== undefined) out.dynamoDbGatewayEndpoint = n.dynamoDbGatewayEndpoint;
    return out;
  }
}
