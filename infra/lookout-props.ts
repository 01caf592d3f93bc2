// The props of the NatsLookout construct: readonly, documented, with defaults a team can drop into
// its own CDK app. Validation lives in validate-props.ts; the construct builds only valid props.
import type { Duration } from "aws-cdk-lib";
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import type * as logs from "aws-cdk-lib/aws-logs";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { SliceName } from "../lib/core/slice-name.ts";
import type { Severity } from "../lib/findings/finding.ts";

export type { SliceName, Severity };

/** A JSON object as written in an environment file (validated by the same parser the handler uses). */
export type JsonObject = { readonly [key: string]: unknown };

export interface SliceDeployment {
  /** How often EventBridge Scheduler runs the slice: whole minutes, at least one. */
  readonly every: Duration;
  /**
   * This slice's function memory in MB (CPU grows with it, so a run's GB-seconds stay about the same).
   * The consumers slice gets 512 when neither this nor the construct's `memorySize` is set: the
   * benchmark measured its peak RSS at 208 MiB for 20,051 consumers, and a straight line through the
   * measured sizes reads 338 MiB at 40,000, above 256 MB.
   * @default - the construct's `memorySize`; when that is unset too, 512 for consumers and 256 for the others
   */
  readonly memorySize?: number;
}

export type SubscriptionProtocol = "email" | "sms" | "https";

export interface AlertSubscription {
  /** `email` (confirmed by clicking the link AWS sends), `sms` (E.164 number) or `https` (a pager's webhook). */
  readonly protocol: SubscriptionProtocol;
  /** The address, phone number (`+15555550100`) or `https://` URL. */
  readonly endpoint: string;
  /**
   * Severities this endpoint receives (SNS filter policy on the `severity` message attribute).
   * Endpoints that take `critical` also receive the monitor's own CloudWatch alarms.
   * @default - every severity (no filter policy)
   */
  readonly severities?: readonly Severity[];
}

/** Either an existing secret, or settings for one the construct creates. */
export type LookoutSecretProps =
  | {
      /** A secret holding the NATS credentials as JSON (see docs/deploy.md). Import it by its complete ARN. */
      readonly existingSecret: secretsmanager.ISecret;
      readonly userName?: never;
    }
  | {
      readonly existingSecret?: never;
      /**
       * User name written into the created secret beside a generated password (add both to the
       * NATS server, or overwrite the secret with another credential shape).
       * @default "lookout"
       */
      readonly userName?: string;
    };

/** How functions in a VPC reach SNS and Secrets Manager. DynamoDB always goes through a gateway endpoint. */
export type AwsApiAccess = "nat" | "endpoints";

export interface LookoutNetworkProps {
  /** The VPC the NATS cluster is reachable from (import it by attributes: no lookups at synth). */
  readonly vpc: ec2.IVpc;
  /** Private subnets for the functions (one per AZ when `awsApiAccess` is `endpoints`). */
  readonly subnets: readonly ec2.ISubnet[];
  /**
   * Security groups for the functions.
   * @default - one is created: egress TCP 443 (AWS APIs) and the NATS client ports to `natsCidrs`, nothing else
   */
  readonly securityGroups?: readonly ec2.ISecurityGroup[];
  /** Where the NATS servers are (required when the security group is created). @default - none */
  readonly natsCidrs?: readonly string[];
  /**
   * `nat`: the subnets already route to a NAT gateway (no new cost here); `endpoints`: create
   * interface endpoints for SNS and Secrets Manager in the subnets (per AZ and hour; see docs/deploy.md).
   */
  readonly awsApiAccess: AwsApiAccess;
  /**
   * Create the (free) DynamoDB gateway endpoint on the subnets' route tables. Turn off when the
   * route tables already have one (a route table takes one gateway endpoint per service).
   * @default true
   */
  readonly dynamoDbGatewayEndpoint?: boolean;
}

export interface NatsLookoutProps {
  /** NATS server URLs the functions connect to (`nats://`, `tls://`). No credentials in them. */
  readonly natsServers: readonly string[];
  /** `system`: $SYS fan-out with system-account credentials; `account`: $JS.API only. @default "system" */
  readonly mode?: "system" | "account";
  /** Label for findings, history keys and alerts. @default - the cluster name the servers report */
  readonly clusterLabel?: string;
  /** The slices to deploy, each with its schedule. One function, schedule and alarm pair per slice. */
  readonly slices: Partial<Record<SliceName, SliceDeployment>>;
  /**
   * Default thresholds and alert policy in the configuration file's shape:
   * `{ thresholds: {meta, streams}, alerts: {remindAfter, resolveAfterRuns, claimLease}, timeouts: {connect, request} }`.
   * Validated at synth time by the parser the handler runs.
   * @default - the built-in defaults (lib/config/config.ts)
   */
  readonly settings?: JsonObject;
  /** The NATS credentials. @default - a secret is created with a generated password for user "lookout" */
  readonly secret?: LookoutSecretProps;
  /** Who gets alerts, and which severities. @default - none (subscribe to the topics later) */
  readonly subscriptions?: readonly AlertSubscription[];
  /** Run the functions in a VPC (private clusters). @default - no VPC: the cluster must be reachable from Lambda's network */
  readonly network?: LookoutNetworkProps;
  /** Keep the history table, KMS key and created secret when the stack is deleted (production). @default true */
  readonly retainData?: boolean;
  /** Days a history item lives after its last save (DynamoDB TTL). @default 14 */
  readonly historyTtlDays?: number;
  /** Function timeout; must be shorter than every slice's schedule so runs never queue. @default Duration.seconds(50) */
  readonly functionTimeout?: Duration;
  /**
   * Memory in MB of every slice's function that sets none of its own (CPU grows with it).
   * @default - 256; the consumers slice 512 (see `SliceDeployment.memorySize`)
   */
  readonly memorySize?: number;
  /** How long function logs are kept. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Powertools service name: the `service` dimension of every metric and log line. @default "nats-lookout" */
  readonly serviceName?: string;
  /** Consecutive scheduled runs that may be missing before the dead-man's switch alarms. @default 3 */
  readonly missedRunsBeforeAlarm?: number;
  /**
   * Also emit the detailed metrics (NATS requests and bytes, notices, history bytes, findings per
   * check): about six more series per slice at $0.30 each a month. The "run finished" log line has
   * these numbers either way. @default false
   */
  readonly detailedMetrics?: boolean;
}

export const DEFAULTS = {
  mode: "system",
  secretUserName: "lookout",
  retainData: true,
  historyTtlDays: 14,
  functionTimeoutSeconds: 50,
  memorySize: 256,
  serviceName: "nats-lookout",
  missedRunsBeforeAlarm: 3,
} as const;

/** Slices whose function needs more than `DEFAULTS.memorySize` when nothing is set (MB). */
export const SLICE_MEMORY_DEFAULTS: Readonly<Partial<Record<SliceName, number>>> = { consumers: 512 };

/** The memory a slice's function is deployed with: its own, else the construct's, else the slice's default. */
export const memorySizeOf = (
  slice: SliceName,
  deployment: Pick<SliceDeployment, "memorySize"> | undefined,
  constructMemorySize: number | undefined,
): number => deployment?.memorySize ?? constructMemorySize ?? SLICE_MEMORY_DEFAULTS[slice] ?? DEFAULTS.memorySize;
