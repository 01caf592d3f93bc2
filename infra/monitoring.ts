// The monitor watches itself: per function an alarm on invocation errors (a blind or failing run
// throws) and a dead-man's switch on missing invocations, and a dashboard of the per-run metrics.
import { Duration, Stack } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type * as logs from "aws-cdk-lib/aws-logs";
import * as cwActions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { SEVERITIES } from "../lib/findings/finding.ts";
import {
  CORE_METRICS,
  CORE_SEVERITIES,
  DETAILED_METRICS,
  METRIC_DIMENSIONS as DIM,
  METRIC_NAMES as M,
  METRIC_NAMESPACE,
  SERVICE_DIMENSION,
} from "../lib/lambda/metric-names.ts";
import type { SliceName } from "./lookout-props.ts";

export interface SliceMonitoringProps {
  readonly slice: SliceName;
  readonly fn: lambda.IFunction;
  readonly every: Duration;
  readonly missedRuns: number;
  readonly alarmTopic: sns.ITopic;
  readonly serviceName: string;
  /** Prefix of alarm names (they appear in pages and e-mails). */
  readonly namePrefix: string;
}

/** A metric the handler emits, as the dashboard reads it (namespace, name, exact dimensions). */
export interface RunMetricSpec {
  metricName: string;
  dimensions: Record<string, string>;
}

/** Every per-run metric a slice emits (and the dashboard graphs): the test checks the bundle emits each. */
export function runMetricSpecs(serviceName: string, slice: string, detailed = false): RunMetricSpec[] {
  const base = { [SERVICE_DIMENSION]: serviceName, [DIM.slice]: slice };
  return [
    ...(detailed ? SEVERITIES : CORE_SEVERITIES).map((s) => ({
      metricName: M.findings,
      dimensions: { ...base, [DIM.severity]: s },
    })),
    ...[...CORE_METRICS, ...(detailed ? DETAILED_METRICS : [])].map((metricName) => ({ metricName, dimensions: base })),
  ];
}

export function alarmNames(namePrefix: string, slice: string): { errors: string; missed: string } {
  return { errors: `${namePrefix}-${slice}-run-failed`, missed: `${namePrefix}-${slice}-not-running` };
}

export class SliceMonitoring extends Construct {
  /** Any invocation error: blind monitor, history or SNS failure, crash, timeout. */
  readonly errorAlarm: cloudwatch.Alarm;
  /** Fewer invocations than scheduled (schedule disabled or deleted, throttled, permissions). */
  readonly missedRunAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, p: SliceMonitoringProps) {
    super(scope, id);
    const names = alarmNames(p.namePrefix, p.slice);
    // One period per scheduled run: the alarm state reads as "the last run failed".
    this.errorAlarm = new cloudwatch.Alarm(this, "RunFailed", {
      alarmName: names.errors,
      alarmDescription: `nats-lookout ${p.slice} run failed: the monitor is blind, or could not save history or send alerts. Read the function's last "run finished" log line (errors, findings) in ${p.fn.functionName}'s log group.`,
      metric: p.fn.metricErrors({ period: p.every, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // No run, no data: keep the last state; the dead-man's switch covers silence.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });
    this.missedRunAlarm = new cloudwatch.Alarm(this, "NotRunning", {
      alarmName: names.missed,
      alarmDescription: `nats-lookout ${p.slice} has not run for ${p.missedRuns} scheduled runs: nobody is watching the cluster. Check the schedule (enabled?), the function's throttles and its role.`,
      metric: p.fn.metricInvocations({ period: p.every, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: p.missedRuns,
      datapointsToAlarm: p.missedRuns,
      // A period without invocations has no datapoint at all: that is the failure to catch.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    for (const a of [this.errorAlarm, this.missedRunAlarm]) {
      a.addAlarmAction(new cwActions.SnsAction(p.alarmTopic));
      a.addOkAction(new cwActions.SnsAction(p.alarmTopic));
    }
  }
}

/**
 * One row of widgets per slice: findings, blind/partial runs, run time, invocations, alarms, and the
 * last runs' per-check counts from the log (Logs Insights: no metric series to pay for). With
 * detailed metrics, graphs of findings per check, NATS cost and notices too.
 */
export function buildDashboard(
  scope: Construct,
  id: string,
  serviceName: string,
  detailed: boolean,
  slices: {
    slice: string;
    fn: lambda.IFunction;
    logGroup: logs.ILogGroup;
    every: Duration;
    alarms: cloudwatch.IAlarm[];
  }[],
): cloudwatch.Dashboard {
  const dashboard = new cloudwatch.Dashboard(scope, id, { defaultInterval: Duration.hours(6) });
  for (const s of slices) {
    const period = s.every;
    const metric = (spec: RunMetricSpec, statistic: string, label: string) =>
      new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName: spec.metricName,
        dimensionsMap: spec.dimensions,
        statistic,
        period,
        label,
      });
    const specs = runMetricSpecs(serviceName, s.slice, detailed);
    const find = (name: string, sev?: string) =>
      specs.find((x) => x.metricName === name && x.dimensions[DIM.severity] === sev)!;
    const region = Stack.of(scope).region;
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `## ${s.slice} slice (every ${s.every.toMinutes()} min)`,
        width: 24,
        height: 1,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${s.slice}: findings by severity`,
        left: (detailed ? SEVERITIES : CORE_SEVERITIES).map((sev) => metric(find(M.findings, sev), "Maximum", sev)),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: `${s.slice}: blind and partial runs`,
        left: [metric(find(M.blind), "Sum", "blind"), metric(find(M.partial), "Sum", "partial")],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: `${s.slice}: run duration (ms)`,
        left: [metric(find(M.runDuration), "Maximum", "max"), metric(find(M.runDuration), "Average", "avg")],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.LogQueryWidget({
        title: `${s.slice}: last runs (findings per check, requests, notices)`,
        logGroupNames: [s.logGroup.logGroupName],
        queryLines: [
          'filter message = "run finished"',
          "fields @timestamp, run.status, run.byCheck, run.requests.requests, run.notices.sent, run.errors.0",
          "sort @timestamp desc",
          "limit 20",
        ],
        width: 16,
      }),
      new cloudwatch.GraphWidget({
        title: `${s.slice}: invocations`,
        left: [
          s.fn.metricInvocations({ period, statistic: "Sum" }),
          s.fn.metricErrors({ period, statistic: "Sum" }),
          s.fn.metricThrottles({ period, statistic: "Sum" }),
        ],
        right: [s.fn.metricDuration({ period, statistic: "Maximum" })],
        width: 8,
      }),
    );
    if (detailed) {
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: `${s.slice}: findings by check`,
          left: [
            new cloudwatch.MathExpression({
              expression: `SEARCH('{${METRIC_NAMESPACE},${SERVICE_DIMENSION},${DIM.slice},${DIM.check}} MetricName="${M.findings}" ${SERVICE_DIMENSION}="${serviceName}" ${DIM.slice}="${s.slice}"', 'Maximum', ${period.toSeconds()})`,
              label: "",
              period,
              searchRegion: region,
            }),
          ],
          width: 8,
        }),
        new cloudwatch.GraphWidget({
          title: `${s.slice}: NATS requests and bytes per run`,
          left: [metric(find(M.natsRequests), "Maximum", "requests")],
          right: [
            metric(find(M.natsBytes), "Maximum", "bytes received"),
            metric(find(M.historyBytes), "Maximum", "history bytes written"),
          ],
          width: 8,
        }),
        new cloudwatch.GraphWidget({
          title: `${s.slice}: errors and notices`,
          left: [
            metric(find(M.runErrors), "Sum", "run errors"),
            metric(find(M.noticesSent), "Sum", "notices sent"),
            metric(find(M.noticesFailed), "Sum", "notices failed"),
          ],
          width: 8,
        }),
      );
    }
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: `${s.slice}: alarms`, alarms: s.alarms, width: 24, height: 2 }),
    );
  }
  return dashboard;
}
