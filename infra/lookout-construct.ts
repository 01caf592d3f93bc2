// NatsLookout: the whole deployed monitor as one reusable construct. Per slice: a NodejsFunction
// (local esbuild, nodejs22.x, arm64; installed from the package, a Function with the prebuilt
// handler), an EventBridge Scheduler schedule, reserved concurrency 1, no
// retries, an error alarm and a dead-man's switch. Shared: the history table, the alert topic and
// the alarm topic (one KMS key), the NATS credentials secret, a dashboard. IAM is written out
// statement by statement: read the secret, read/write the table, publish to the alert topic, write
// its own logs (metrics travel in them as EMF), and nothing more.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { CfnOutput, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import type * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { SEVERITIES } from "../lib/findings/finding.ts";
import { LAMBDA_ENV } from "../lib/lambda/environment.ts";
import { cdkBundling, entryFor, hasSources, prebuiltFor, PROJECT_ROOT } from "./bundling.ts";
import { HISTORY_TABLE_SCHEMA, HISTORY_TABLE_ACTIONS } from "./history-table.ts";
import {
  DEFAULTS,
  memorySizeOf,
  type AlertSubscription,
  type NatsLookoutProps,
  type SliceDeployment,
  type SliceName,
} from "./lookout-props.ts";
import { alarmNames, buildDashboard, SliceMonitoring } from "./monitoring.ts";
import { LookoutNetwork } from "./network.ts";
import { ExactLambdaInvoke } from "./scheduler-target.ts";
import { configDocument, LookoutPropsError, validateLookoutProps } from "./validate-props.ts";

/** Everything built for one slice, exposed so callers can add alarms or permissions. */
export interface SliceResources {
  /** A NodejsFunction when built from this repository's sources; the installed package deploys its prebuilt handler. */
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly schedule: scheduler.Schedule;
  readonly errorAlarm: cloudwatch.Alarm;
  readonly missedRunAlarm: cloudwatch.Alarm;
}

const PROTOCOLS: Record<AlertSubscription["protocol"], sns.SubscriptionProtocol> = {
  email: sns.SubscriptionProtocol.EMAIL,
  sms: sns.SubscriptionProtocol.SMS,
  https: sns.SubscriptionProtocol.HTTPS,
};

export class NatsLookout extends Construct {
  /** History of every slice run (DynamoDB TTL expires old items). */
  readonly table: dynamodb.Table;
  /** Alerts from the monitor's findings, with a `severity` message attribute to filter on. */
  readonly topic: sns.Topic;
  /**
   * The monitor's own CloudWatch alarms. A topic of their own because alarm messages carry no
   * message attributes, and SNS filter policies never match a message without attributes: on the
   * alert topic they would miss every severity-filtered subscription (the pager included).
   */
  readonly alarmTopic: sns.Topic;
  /** Encrypts both topics; CloudWatch may use it to publish alarms. */
  readonly topicKey: kms.Key;
  readonly secret: secretsmanager.ISecret;
  readonly slices: Partial<Record<SliceName, SliceResources>>;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly subscriptions: sns.Subscription[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  /** Present when the functions run in a VPC. */
  readonly network?: LookoutNetwork;

  constructor(scope: Construct, id: string, props: NatsLookoutProps) {
    super(scope, id);
    const problems = validateLookoutProps(props);
    if (problems.length) throw new LookoutPropsError(problems);

    const stack = Stack.of(this);
    const retain = props.retainData ?? DEFAULTS.retainData;
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const serviceName = props.serviceName ?? DEFAULTS.serviceName;
    const missedRuns = props.missedRunsBeforeAlarm ?? DEFAULTS.missedRunsBeforeAlarm;
    const timeout = props.functionTimeout ?? Duration.seconds(DEFAULTS.functionTimeoutSeconds);

    this.table = new dynamodb.Table(this, "History", {
      partitionKey: { name: HISTORY_TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: HISTORY_TABLE_SCHEMA.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: HISTORY_TABLE_SCHEMA.ttlAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retain,
      removalPolicy,
    });

    this.topicKey = new kms.Key(this, "TopicKey", {
      description: `nats-lookout ${serviceName}: encrypts the alert and alarm topics`,
      enableKeyRotation: true,
      removalPolicy,
    });
    // CloudWatch publishes alarms to an encrypted topic only if the key lets it (AWS's documented policy).
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "AllowCloudWatchAlarmsToPublish",
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
      }),
    );
    this.topic = new sns.Topic(this, "Alerts", {
      displayName: "NATS lookout",
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    this.alarmTopic = new sns.Topic(this, "MonitorAlarms", {
      displayName: "NATS lookout",
      masterKey: this.topicKey,
      enforceSSL: true,
    });

    if (props.secret?.existingSecret) this.secret = props.secret.existingSecret;
    else {
      this.secret = new secretsmanager.Secret(this, "NatsCredentials", {
        description: `NATS credentials of nats-lookout ${serviceName} (JSON: user/password, token, creds or nkey; see docs/deploy.md)`,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ user: props.secret?.userName ?? DEFAULTS.secretUserName }),
          generateStringKey: "password",
          excludePunctuation: true,
          passwordLength: 32,
        },
        removalPolicy,
      });
    }

    if (props.network) this.network = new LookoutNetwork(this, "Network", props.network, props.natsServers);
    this.scheduleGroup = new scheduler.ScheduleGroup(this, "Schedules", { removalPolicy: RemovalPolicy.DESTROY });

    const namePrefix = stack.stackName;
    const configJson = JSON.stringify(configDocument(props));
    const slices: Partial<Record<SliceName, SliceResources>> = {};
    for (const [name, deployment] of Object.entries(props.slices) as [SliceName, SliceDeployment | undefined][]) {
      if (!deployment) continue;
      slices[name] = this.buildSlice(name, deployment, {
        configJson,
        serviceName,
        detailedMetrics: props.detailedMetrics ?? false,
        timeout,
        removalPolicy,
        memorySize: memorySizeOf(name, deployment, props.memorySize),
        logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        missedRuns,
        namePrefix,
      });
    }
    this.slices = slices;

    this.subscribe(props.subscriptions ?? []);
    this.dashboard = buildDashboard(
      this,
      "Dashboard",
      serviceName,
      props.detailedMetrics ?? false,
      Object.entries(slices).map(([slice, r]) => ({
        slice,
        fn: r.fn,
        logGroup: r.logGroup,
        every: props.slices[slice as SliceName]!.every,
        alarms: [r.errorAlarm, r.missedRunAlarm],
      })),
    );
    // Only our own alarms may publish to the alarm topic (confused-deputy guard, no wildcard).
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "AllowOwnAlarmsToPublish",
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { "aws:SourceAccount": stack.account },
          ArnEquals: {
            "aws:SourceArn": Object.values(slices).flatMap((r) => [r.errorAlarm.alarmArn, r.missedRunAlarm.alarmArn]),
          },
        },
      }),
    );

    new CfnOutput(this, "HistoryTableName", { value: this.table.tableName });
    new CfnOutput(this, "AlertTopicArn", { value: this.topic.topicArn });
    new CfnOutput(this, "AlarmTopicArn", { value: this.alarmTopic.topicArn });
    new CfnOutput(this, "NatsSecretArn", { value: this.secret.secretArn });
    new CfnOutput(this, "DashboardName", { value: this.dashboard.dashboardName });
  }

  private buildSlice(
    name: SliceName,
    deployment: SliceDeployment,
    o: {
      configJson: string;
      serviceName: string;
      detailedMetrics: boolean;
      timeout: Duration;
      removalPolicy: RemovalPolicy;
      memorySize: number;
      logRetention: logs.RetentionDays;
      missedRuns: number;
      namePrefix: string;
    },
  ): SliceResources {
    const logGroup = new logs.LogGroup(this, `${name}Logs`, {
      retention: o.logRetention,
      removalPolicy: o.removalPolicy,
    });
    const statements = [
      new iam.PolicyStatement({
        sid: "WriteOwnLogs",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [logGroup.logGroupArn],
      }),
      new iam.PolicyStatement({
        sid: "ReadNatsCredentials",
        actions: ["secretsmanager:GetSecretValue"],
        resources: [this.secret.secretArn],
      }),
      new iam.PolicyStatement({
        sid: "ReadWriteHistory",
        actions: [...HISTORY_TABLE_ACTIONS],
        resources: [this.table.tableArn],
      }),
      new iam.PolicyStatement({ sid: "PublishAlerts", actions: ["sns:Publish"], resources: [this.topic.topicArn] }),
      new iam.PolicyStatement({
        sid: "EncryptAlerts",
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: [this.topicKey.keyArn],
      }),
    ];
    if (this.secret.encryptionKey) {
      statements.push(
        new iam.PolicyStatement({
          sid: "DecryptNatsCredentials",
          actions: ["kms:Decrypt"],
          resources: [this.secret.encryptionKey.keyArn],
        }),
      );
    }
    if (this.network) {
      // Lambda creates the function's network interfaces with the function's role. EC2 gives these
      // actions no resource names to scope to (Describe*), nor a name before the interface exists.
      statements.push(
        new iam.PolicyStatement({
          sid: "ManageVpcNetworkInterfaces",
          actions: [
            "ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSubnets",
            "ec2:DeleteNetworkInterface",
            "ec2:AssignPrivateIpAddresses",
            "ec2:UnassignPrivateIpAddresses",
          ],
          resources: ["*"],
        }),
      );
    }
    const role = new iam.Role(this, `${name}Role`, {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `nats-lookout ${name} slice: read its secret, read/write its table, publish to its topic, write its logs`,
      inlinePolicies: { lookout: new iam.PolicyDocument({ statements }) },
    });
    const every = deployment.every;
    const options: lambda.FunctionOptions & { runtime: lambda.Runtime } = {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: o.memorySize,
      timeout: o.timeout,
      description: `nats-lookout ${name} slice (${o.serviceName})`,
      role,
      logGroup,
      reservedConcurrentExecutions: 1,
      // Scheduler invokes asynchronously: no Lambda retries (a failure is an alarm, not a second
      // run), and a run that waited in the queue longer than one interval is dropped, not stacked.
      retryAttempts: 0,
      maxEventAge: Duration.seconds(Math.min(Math.max(every.toSeconds(), 60), 21_600)),
      environment: {
        [LAMBDA_ENV.config]: o.configJson,
        [LAMBDA_ENV.table]: this.table.tableName,
        [LAMBDA_ENV.topicArn]: this.topic.topicArn,
        [LAMBDA_ENV.secretArn]: this.secret.secretArn,
        POWERTOOLS_SERVICE_NAME: o.serviceName,
        POWERTOOLS_LOG_LEVEL: "INFO",
        ...(o.detailedMetrics ? { [LAMBDA_ENV.detailedMetrics]: "1" } : {}),
        NODE_OPTIONS: "--enable-source-maps",
      },
      ...(this.network
        ? {
            vpc: this.network.vpc,
            vpcSubnets: { subnets: this.network.subnets },
            securityGroups: this.network.securityGroups,
            allowPublicSubnet: false,
          }
        : {}),
    };
    const fn = hasSources(name)
      ? new NodejsFunction(this, `${name}Function`, {
          ...options,
          entry: entryFor(name),
          handler: "handler",
          projectRoot: PROJECT_ROOT,
          depsLockFilePath: join(PROJECT_ROOT, "package-lock.json"),
          bundling: cdkBundling(),
        })
      : // Installed from the package: the handler `npm run build` prebuilt with the same esbuild options.
        new lambda.Function(this, `${name}Function`, {
          ...options,
          code: lambda.Code.fromAsset(prebuiltFor(name)),
          handler: "index.handler",
        });
    const schedule = new scheduler.Schedule(this, `${name}Schedule`, {
      description: `nats-lookout ${name} slice every ${every.toMinutes()} min`,
      schedule: scheduler.ScheduleExpression.rate(every),
      scheduleGroup: this.scheduleGroup,
      timeWindow: scheduler.TimeWindow.off(),
      target: new ExactLambdaInvoke(fn, {
        input: scheduler.ScheduleTargetInput.fromObject({
          slice: name,
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
          executionId: scheduler.ContextAttribute.executionId,
          attempt: scheduler.ContextAttribute.attemptNumber,
          scheduleArn: scheduler.ContextAttribute.scheduleArn,
        }),
        retryAttempts: 0,
        maxEventAge: Duration.seconds(60),
      }),
    });
    const mon = new SliceMonitoring(this, `${name}Monitoring`, {
      slice: name,
      fn,
      every,
      missedRuns: o.missedRuns,
      alarmTopic: this.alarmTopic,
      serviceName: o.serviceName,
      namePrefix: o.namePrefix,
    });
    return { fn, role, logGroup, schedule, errorAlarm: mon.errorAlarm, missedRunAlarm: mon.missedRunAlarm };
  }

  private subscribe(subs: readonly AlertSubscription[]): void {
    for (const s of subs) {
      // Ids follow the endpoint, not the list order: reordering the file must not replace (and
      // force re-confirming) subscriptions.
      const key = createHash("sha256").update(`${s.protocol}:${s.endpoint.toLowerCase()}`).digest("hex").slice(0, 8);
      const severities = s.severities ?? SEVERITIES;
      const everything = SEVERITIES.every((v) => severities.includes(v));
      this.subscriptions.push(
        new sns.Subscription(this, `Alert-${s.protocol}-${key}`, {
          topic: this.topic,
          protocol: PROTOCOLS[s.protocol],
          endpoint: s.endpoint,
          ...(everything
            ? {}
            : { filterPolicy: { severity: sns.SubscriptionFilter.stringFilter({ allowlist: [...severities] }) } }),
        }),
      );
      // The monitor's own alarms are critical by nature: whoever takes critical alerts gets them.
      if (severities.includes("critical")) {
        this.subscriptions.push(
          new sns.Subscription(this, `Alarm-${s.protocol}-${key}`, {
            topic: this.alarmTopic,
            protocol: PROTOCOLS[s.protocol],
            endpoint: s.endpoint,
          }),
        );
      }
    }
  }
}

export { alarmNames };
