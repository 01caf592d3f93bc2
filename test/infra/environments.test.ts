// The synthesized app, per environment file: every resource, the exact IAM statements, schedules,
// alarms, subscriptions and filter policies, all derived from what the file says.
import { describe, expect, it } from "vitest";
import { environmentNames } from "../../infra/environment-file.ts";
import { HISTORY_TABLE, historyTableInput } from "../../lib/history/dynamodb-table.ts";
import { functionIdOf, idByPath, ofType, only, synthEnvironment, type Synthesized } from "./synth.ts";

const SEVERITIES = ["critical", "warning", "info"];

for (const name of environmentNames()) {
  describe(`environment ${name}`, () => {
    const s: Synthesized = synthEnvironment(name, { bundle: true });
    const { json, settings } = s;
    const slices = Object.keys(settings.slices);
    const retain = settings.retainData ?? true;
    const missed = settings.missedRunsBeforeAlarm ?? 3;
    const ids = {
      table: idByPath(json, "AWS::DynamoDB::Table", "Lookout/History/Resource"),
      alerts: idByPath(json, "AWS::SNS::Topic", "Lookout/Alerts/Resource"),
      alarms: idByPath(json, "AWS::SNS::Topic", "Lookout/MonitorAlarms/Resource"),
      key: idByPath(json, "AWS::KMS::Key", "Lookout/TopicKey/Resource"),
    };
    const secretRef: unknown =
      "arn" in settings.secret
        ? settings.secret.arn
        : { Ref: idByPath(json, "AWS::SecretsManager::Secret", "Lookout/NatsCredentials/Resource") };

    it("has every resource, in the numbers the file implies", () => {
      const critical = settings.subscriptions.filter((x) => (x.severities ?? SEVERITIES).includes("critical")).length;
      const expected: Record<string, number> = {
        "AWS::Lambda::Function": slices.length,
        "AWS::Lambda::EventInvokeConfig": slices.length,
        "AWS::Logs::LogGroup": slices.length,
        "AWS::Scheduler::Schedule": slices.length,
        "AWS::Scheduler::ScheduleGroup": 1,
        "AWS::CloudWatch::Alarm": 2 * slices.length,
        "AWS::CloudWatch::Dashboard": 1,
        "AWS::DynamoDB::Table": 1,
        "AWS::SNS::Topic": 2,
        "AWS::SNS::TopicPolicy": 2,
        "AWS::SNS::Subscription": settings.subscriptions.length + critical,
        "AWS::KMS::Key": 1,
        "AWS::SecretsManager::Secret": "create" in settings.secret ? 1 : 0,
        // A role per function and one per schedule target; inline policies only, plus the
        // scheduler targets' default policies.
        "AWS::IAM::Role": 2 * slices.length,
        "AWS::IAM::Policy": slices.length,
        "AWS::EC2::VPCEndpoint": settings.network
          ? (settings.network.dynamoDbGatewayEndpoint === false ? 0 : 1) +
            (settings.network.awsApiAccess === "endpoints" ? 2 : 0)
          : 0,
      };
      const counts: Record<string, number> = {};
      for (const t of Object.keys(expected)) counts[t] = ofType(json, t).length;
      expect(counts).toEqual(expected);
    });

    it("bundles one nodejs22.x arm64 function per slice, reserved concurrency 1, no async retries", () => {
      for (const slice of slices) {
        const fnId = functionIdOf(json, slice);
        const p = json.Resources[fnId]!.Properties!;
        expect(p).toMatchObject({
          Runtime: "nodejs22.x",
          Architectures: ["arm64"],
          Handler: "index.handler",
          ReservedConcurrentExecutions: 1,
          // The consumers slice's own default applies only when neither the slice nor the file sets one.
          MemorySize: settings.slices[slice]!.memorySize ?? settings.memorySize ?? (slice === "consumers" ? 512 : 256),
          Timeout: (settings.functionTimeoutMs ?? 50_000) / 1000,
          LoggingConfig: { LogGroup: { Ref: idByPath(json, "AWS::Logs::LogGroup", `Lookout/${slice}Logs/Resource`) } },
        });
        const env = (p.Environment as { Variables: Record<string, unknown> }).Variables;
        expect(Object.keys(env).sort()).toEqual([
          "LOOKOUT_CONFIG",
          "LOOKOUT_SECRET_ARN",
          "LOOKOUT_TABLE_NAME",
          "LOOKOUT_TOPIC_ARN",
          "NODE_OPTIONS",
          "POWERTOOLS_LOG_LEVEL",
          "POWERTOOLS_SERVICE_NAME",
        ]);
        expect(env).toMatchObject({
          LOOKOUT_TABLE_NAME: { Ref: ids.table },
          LOOKOUT_TOPIC_ARN: { Ref: ids.alerts },
          LOOKOUT_SECRET_ARN: secretRef,
          POWERTOOLS_SERVICE_NAME: `nats-lookout-${name}`,
          NODE_OPTIONS: "--enable-source-maps",
        });
        // The plain-text configuration: servers and settings from the file, no credentials.
        const config = JSON.parse(env.LOOKOUT_CONFIG as string) as Record<string, unknown>;
        expect(config.nats).toEqual({ servers: settings.nats.servers });
        expect(config.mode).toBe(settings.nats.mode ?? "system");
        expect(config.cluster).toBe(settings.nats.cluster);
        expect(
          Object.keys(config)
            .filter((k) => !["nats", "mode", "cluster", "history"].includes(k))
            .sort(),
        ).toEqual(Object.keys(settings.settings ?? {}).sort());
        expect((config.history as { ttlDays: number }).ttlDays).toBe(settings.historyTtlDays ?? 14);
        if (settings.settings?.thresholds) expect(config.thresholds).toEqual(settings.settings.thresholds);

        const invoke = only(
          json,
          "AWS::Lambda::EventInvokeConfig",
          (q) => JSON.stringify(q.FunctionName) === JSON.stringify({ Ref: fnId }),
        )[1].Properties!;
        expect(invoke).toMatchObject({
          MaximumRetryAttempts: 0,
          MaximumEventAgeInSeconds: Math.max(60, settings.slices[slice]!.everyMs / 1000),
          Qualifier: "$LATEST",
        });

        if (settings.network) {
          expect(p.VpcConfig).toMatchObject({ SubnetIds: settings.network.subnets.map((x) => x.id) });
        } else {
          expect(p.VpcConfig).toBeUndefined();
        }
      }
    });

    it("schedules each slice with EventBridge Scheduler at the file's rate, retries off, its slice in the input", () => {
      for (const slice of slices) {
        const fnId = functionIdOf(json, slice);
        const minutes = settings.slices[slice]!.everyMs / 60_000;
        const [, sched] = only(
          json,
          "AWS::Scheduler::Schedule",
          (p) => JSON.stringify((p.Target as { Arn: unknown }).Arn) === JSON.stringify({ "Fn::GetAtt": [fnId, "Arn"] }),
        );
        const p = sched.Properties!;
        expect(p).toMatchObject({
          ScheduleExpression: `rate(${minutes} ${minutes === 1 ? "minute" : "minutes"})`,
          FlexibleTimeWindow: { Mode: "OFF" },
          State: "ENABLED",
          Target: { RetryPolicy: { MaximumRetryAttempts: 0 } },
        });
        const input = JSON.parse((p.Target as { Input: string }).Input) as Record<string, string>;
        expect(input).toEqual({
          slice,
          scheduledTime: "<aws.scheduler.scheduled-time>",
          executionId: "<aws.scheduler.execution-id>",
          attempt: "<aws.scheduler.attempt-number>",
          scheduleArn: "<aws.scheduler.schedule-arn>",
        });
      }
    });

    it("alarms on each function's errors and on missing invocations, both to the alarm topic", () => {
      for (const slice of slices) {
        const fnId = functionIdOf(json, slice);
        const period = settings.slices[slice]!.everyMs / 1000;
        const common = {
          Namespace: "AWS/Lambda",
          Dimensions: [{ Name: "FunctionName", Value: { Ref: fnId } }],
          Period: period,
          Statistic: "Sum",
          Threshold: 1,
          AlarmActions: [{ Ref: ids.alarms }],
          OKActions: [{ Ref: ids.alarms }],
        };
        s.template.hasResourceProperties("AWS::CloudWatch::Alarm", {
          ...common,
          AlarmName: `NatsLookout-${name}-${slice}-run-failed`,
          MetricName: "Errors",
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
          EvaluationPeriods: 1,
          TreatMissingData: "ignore",
        });
        s.template.hasResourceProperties("AWS::CloudWatch::Alarm", {
          ...common,
          AlarmName: `NatsLookout-${name}-${slice}-not-running`,
          MetricName: "Invocations",
          ComparisonOperator: "LessThanThreshold",
          EvaluationPeriods: missed,
          DatapointsToAlarm: missed,
          TreatMissingData: "breaching",
        });
      }
    });

    it("subscribes each endpoint with its severity filter, and critical takers to the alarm topic", () => {
      const subs = ofType(json, "AWS::SNS::Subscription").map(([, r]) => r.Properties!);
      for (const want of settings.subscriptions) {
        const severities = want.severities ?? SEVERITIES;
        const mine = subs.filter((p) => p.Endpoint === want.endpoint && p.Protocol === want.protocol);
        const onAlerts = mine.filter((p) => JSON.stringify(p.TopicArn) === JSON.stringify({ Ref: ids.alerts }));
        const onAlarms = mine.filter((p) => JSON.stringify(p.TopicArn) === JSON.stringify({ Ref: ids.alarms }));
        expect(onAlerts).toHaveLength(1);
        if (SEVERITIES.every((x) => severities.includes(x))) expect(onAlerts[0]!.FilterPolicy).toBeUndefined();
        else expect(onAlerts[0]!.FilterPolicy).toEqual({ severity: [...severities] });
        expect(onAlarms.map((p) => p.FilterPolicy)).toEqual(severities.includes("critical") ? [undefined] : []);
      }
    });

    it("keeps history in an on-demand table with the store's keys, TTL and point-in-time recovery", () => {
      const table = json.Resources[ids.table]!;
      expect(table.Properties).toMatchObject({
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [
          { AttributeName: HISTORY_TABLE.partitionKey, KeyType: "HASH" },
          { AttributeName: HISTORY_TABLE.sortKey, KeyType: "RANGE" },
        ],
        AttributeDefinitions: [
          { AttributeName: HISTORY_TABLE.partitionKey, AttributeType: "S" },
          { AttributeName: HISTORY_TABLE.sortKey, AttributeType: "S" },
        ],
        TimeToLiveSpecification: { AttributeName: HISTORY_TABLE.ttlAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: retain,
      });
      // The same keys, types and billing the store creates its own tables with.
      const store = historyTableInput("any");
      expect(table.Properties!.KeySchema).toEqual(store.KeySchema);
      expect(table.Properties!.AttributeDefinitions).toEqual(store.AttributeDefinitions);
      expect(table.Properties!.BillingMode).toBe(store.BillingMode);
      expect(table.DeletionPolicy).toBe(retain ? "Retain" : "Delete");
      expect(json.Resources[ids.key]!.DeletionPolicy).toBe(retain ? "Retain" : "Delete");
      for (const slice of slices)
        expect(
          json.Resources[idByPath(json, "AWS::Logs::LogGroup", `Lookout/${slice}Logs/Resource`)]!.DeletionPolicy,
        ).toBe(retain ? "Retain" : "Delete");
    });

    it("encrypts both topics with a rotating key that CloudWatch may use, and lets only its own alarms publish", () => {
      for (const topic of [ids.alerts, ids.alarms])
        expect(json.Resources[topic]!.Properties!.KmsMasterKeyId).toEqual({ "Fn::GetAtt": [ids.key, "Arn"] });
      const key = json.Resources[ids.key]!.Properties!;
      expect(key.EnableKeyRotation).toBe(true);
      expect((key.KeyPolicy as { Statement: unknown[] }).Statement).toEqual([
        {
          Action: "kms:*",
          Effect: "Allow",
          Principal: {
            AWS: { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:iam::${settings.account}:root`]] },
          },
          Resource: "*",
        },
        {
          Sid: "AllowCloudWatchAlarmsToPublish",
          Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Resource: "*",
        },
      ]);
      const policyOf = (topic: string) =>
        only(json, "AWS::SNS::TopicPolicy", (p) => JSON.stringify(p.Topics) === JSON.stringify([{ Ref: topic }]))[1]
          .Properties!.PolicyDocument as { Statement: Record<string, unknown>[] };
      const sslOnly = (topic: string) => ({
        Sid: "AllowPublishThroughSSLOnly",
        Action: "sns:Publish",
        Effect: "Deny",
        Principal: "*",
        Resource: { Ref: topic },
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      });
      expect(policyOf(ids.alerts).Statement).toEqual([sslOnly(ids.alerts)]);
      const alarmIds = slices.flatMap((x) => [
        idByPath(json, "AWS::CloudWatch::Alarm", `Lookout/${x}Monitoring/RunFailed/Resource`),
        idByPath(json, "AWS::CloudWatch::Alarm", `Lookout/${x}Monitoring/NotRunning/Resource`),
      ]);
      expect(policyOf(ids.alarms).Statement).toEqual([
        sslOnly(ids.alarms),
        {
          Sid: "AllowOwnAlarmsToPublish",
          Action: "sns:Publish",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Resource: { Ref: ids.alarms },
          Condition: {
            StringEquals: { "aws:SourceAccount": settings.account },
            ArnEquals: { "aws:SourceArn": alarmIds.map((a) => ({ "Fn::GetAtt": [a, "Arn"] })) },
          },
        },
      ]);
    });

    it("grants each function exactly: its logs, its secret, its table, its topic and key (and ENIs in a VPC)", () => {
      for (const slice of slices) {
        const roleId = idByPath(json, "AWS::IAM::Role", `Lookout/${slice}Role/Resource`);
        const role = json.Resources[roleId]!.Properties!;
        expect(role.AssumeRolePolicyDocument).toEqual({
          Version: "2012-10-17",
          Statement: [{ Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" } }],
        });
        expect(role.ManagedPolicyArns).toBeUndefined();
        const expected: Record<string, unknown>[] = [
          {
            Sid: "WriteOwnLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: { "Fn::GetAtt": [idByPath(json, "AWS::Logs::LogGroup", `Lookout/${slice}Logs/Resource`), "Arn"] },
          },
          { Sid: "ReadNatsCredentials", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretRef },
          {
            Sid: "ReadWriteHistory",
            Effect: "Allow",
            Action: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:BatchWriteItem"],
            Resource: { "Fn::GetAtt": [ids.table, "Arn"] },
          },
          { Sid: "PublishAlerts", Effect: "Allow", Action: "sns:Publish", Resource: { Ref: ids.alerts } },
          {
            Sid: "EncryptAlerts",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: { "Fn::GetAtt": [ids.key, "Arn"] },
          },
        ];
        if ("arn" in settings.secret && settings.secret.kmsKeyArn)
          expected.push({
            Sid: "DecryptNatsCredentials",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: settings.secret.kmsKeyArn,
          });
        if (settings.network) {
          expected.push({
            Sid: "ManageVpcNetworkInterfaces",
            Effect: "Allow",
            Action: [
              "ec2:CreateNetworkInterface",
              "ec2:DescribeNetworkInterfaces",
              "ec2:DescribeSubnets",
              "ec2:DeleteNetworkInterface",
              "ec2:AssignPrivateIpAddresses",
              "ec2:UnassignPrivateIpAddresses",
            ],
            Resource: "*",
          });
        }
        expect(role.Policies).toEqual([
          { PolicyName: "lookout", PolicyDocument: { Version: "2012-10-17", Statement: expected } },
        ]);
        // Nothing else is attached to it.
        expect(
          ofType(json, "AWS::IAM::Policy").filter(([, p]) => JSON.stringify(p.Properties!.Roles).includes(roleId)),
        ).toEqual([]);
      }
    });

    it("lets each schedule invoke exactly its function, assumed only by the scheduler of this account and group", () => {
      const group = idByPath(json, "AWS::Scheduler::ScheduleGroup", "Lookout/Schedules/Resource");
      for (const slice of slices) {
        const fnId = functionIdOf(json, slice);
        const [, sched] = only(
          json,
          "AWS::Scheduler::Schedule",
          (p) => JSON.stringify((p.Target as { Arn: unknown }).Arn) === JSON.stringify({ "Fn::GetAtt": [fnId, "Arn"] }),
        );
        const roleRef = (sched.Properties!.Target as { RoleArn: { "Fn::GetAtt": [string, string] } }).RoleArn[
          "Fn::GetAtt"
        ][0];
        expect(json.Resources[roleRef]!.Properties!.AssumeRolePolicyDocument).toEqual({
          Version: "2012-10-17",
          Statement: [
            {
              Action: "sts:AssumeRole",
              Effect: "Allow",
              Principal: { Service: "scheduler.amazonaws.com" },
              Condition: {
                StringEquals: {
                  "aws:SourceAccount": settings.account,
                  "aws:SourceArn": { "Fn::GetAtt": [group, "Arn"] },
                },
              },
            },
          ],
        });
        expect(json.Resources[roleRef]!.Properties!.Policies).toBeUndefined();
        const policies = ofType(json, "AWS::IAM::Policy").filter(
          ([, p]) => JSON.stringify(p.Properties!.Roles) === JSON.stringify([{ Ref: roleRef }]),
        );
        expect(policies.map(([, p]) => (p.Properties!.PolicyDocument as { Statement: unknown }).Statement)).toEqual([
          [{ Action: "lambda:InvokeFunction", Effect: "Allow", Resource: { "Fn::GetAtt": [fnId, "Arn"] } }],
        ]);
      }
    });

    it("has no wildcard action anywhere, and a wildcard resource only where EC2 offers no name", () => {
      const statements: { sid: string | undefined; action: unknown; resource: unknown; effect: unknown }[] = [];
      for (const [, r] of ofType(json, "AWS::IAM::Role"))
        for (const p of (r.Properties!.Policies as
          { PolicyDocument: { Statement: Record<string, unknown>[] } }[] | undefined) ?? [])
          for (const st of p.PolicyDocument.Statement)
            statements.push({
              sid: st.Sid as string | undefined,
              action: st.Action,
              resource: st.Resource,
              effect: st.Effect,
            });
      for (const [, r] of ofType(json, "AWS::IAM::Policy"))
        for (const st of (r.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement)
          statements.push({
            sid: st.Sid as string | undefined,
            action: st.Action,
            resource: st.Resource,
            effect: st.Effect,
          });
      expect(statements.length).toBeGreaterThan(0);
      for (const st of statements) {
        for (const a of [st.action].flat()) expect(String(a)).not.toContain("*");
        const resources = [st.resource].flat().map((x) => JSON.stringify(x));
        if (st.sid === "ManageVpcNetworkInterfaces") expect(resources).toEqual(['"*"']);
        else for (const res of resources) expect(res.replace(/log-group:[^"]*:\*/, "")).not.toContain("*");
      }
    });

    it("graphs the per-run metrics on a dashboard", () => {
      const [, dash] = only(json, "AWS::CloudWatch::Dashboard");
      const body = JSON.stringify(dash.Properties!.DashboardBody);
      for (const slice of slices) {
        for (const metric of ["Findings", "Blind", "Partial", "RunDuration"]) expect(body).toContain(metric);
        expect(body).toMatch(new RegExp(`Slice\\W+${slice}\\W`));
        // Per-check counts come from the log (Logs Insights), not from paid metric series.
        expect(body).toMatch(/filter message = \W+run finished\W/);
      }
      expect(body).toContain(`nats-lookout-${name}`);
      // Detailed metrics are opt-in: without them no widget graphs a series nobody emits.
      for (const metric of ["NatsRequests", "NoticesSent", "HistoryBytesWritten", "SEARCH("])
        expect(body.includes(metric)).toBe(settings.detailedMetrics === true);
    });

    it("networks a private cluster as the file says", () => {
      const n = settings.network;
      if (!n) {
        expect(ofType(json, "AWS::EC2::SecurityGroup")).toEqual([]);
        return;
      }
      const fnSg = n.securityGroupIds
        ? undefined
        : idByPath(json, "AWS::EC2::SecurityGroup", "Lookout/Network/FunctionSecurityGroup/Resource");
      if (fnSg) {
        expect(json.Resources[fnSg]!.Properties!.SecurityGroupEgress).toEqual([
          ...(n.natsCidrs ?? []).map((c) => ({
            CidrIp: c,
            Description: "NATS client port 4222",
            FromPort: 4222,
            IpProtocol: "tcp",
            ToPort: 4222,
          })),
          {
            CidrIp: "0.0.0.0/0",
            Description: "AWS APIs (DynamoDB, SNS, Secrets Manager)",
            FromPort: 443,
            IpProtocol: "tcp",
            ToPort: 443,
          },
        ]);
      }
      if (n.dynamoDbGatewayEndpoint !== false) {
        s.template.hasResourceProperties("AWS::EC2::VPCEndpoint", {
          VpcEndpointType: "Gateway",
          VpcId: n.vpcId,
          RouteTableIds: n.subnets.map((x) => x.routeTableId),
        });
      }
      const iface = ofType(json, "AWS::EC2::VPCEndpoint").filter(
        ([, r]) => r.Properties!.VpcEndpointType === "Interface",
      );
      if (n.awsApiAccess === "endpoints") {
        expect(iface.map(([, r]) => r.Properties!.ServiceName).sort()).toEqual([
          `com.amazonaws.${settings.region}.secretsmanager`,
          `com.amazonaws.${settings.region}.sns`,
        ]);
        for (const [, r] of iface) {
          expect(r.Properties).toMatchObject({ PrivateDnsEnabled: true, SubnetIds: n.subnets.map((x) => x.id) });
          // Reachable on 443 from the functions' group only.
          const epSg = (r.Properties!.SecurityGroupIds as { "Fn::GetAtt": [string, string] }[])[0]!["Fn::GetAtt"][0];
          const ingress = ofType(json, "AWS::EC2::SecurityGroupIngress")
            .filter(([, i]) => JSON.stringify(i.Properties!.GroupId).includes(epSg))
            .map(([, i]) => i.Properties);
          expect(ingress).toEqual([
            expect.objectContaining({
              FromPort: 443,
              ToPort: 443,
              IpProtocol: "tcp",
              SourceSecurityGroupId: { "Fn::GetAtt": [fnSg, "GroupId"] },
            }),
          ]);
          expect(json.Resources[epSg]!.Properties!.SecurityGroupIngress).toBeUndefined();
        }
      } else {
        expect(iface).toEqual([]);
      }
    });

    it("outputs what operators need after deploying", () => {
      const outputs = Object.values(json.Outputs ?? {}).map((o) => JSON.stringify(o));
      expect(outputs.some((o) => o.includes(ids.table))).toBe(true);
      expect(outputs.some((o) => o.includes(ids.alerts))).toBe(true);
      expect(outputs.some((o) => o.includes(ids.alarms))).toBe(true);
      expect(Object.keys(json.Outputs ?? {})).toHaveLength(5);
    });
  });
}
