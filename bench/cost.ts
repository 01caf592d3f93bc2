// The monthly AWS bill of running every slice each minute, from measured per-run figures and the
// list prices in prices.ts. Pure: the benchmark feeds it what it measured (extrapolated to the S
// it prices), the report prints inputs and result side by side.
import type { Prices } from "./prices.ts";

export interface SliceCostInput {
  slice: string;
  /** Runs per month (every minute: 60 x 730). */
  runsPerMonth: number;
  /** The slice's function memory, as the construct deploys it by default. */
  memoryMb: number;
  /** Billed duration of one run on Lambda, in ms (see lambdaMs). */
  lambdaMs: number;
  writeUnitsPerRun: number;
  readUnitsPerRun: number;
  /** Bytes the slice keeps in the table: the HEAD item plus superseded chunks alive until TTL. */
  storedBytes: number;
}

export interface CostInput {
  slices: SliceCostInput[];
  /** Alert notices published per month (assumed: a healthy cluster sends none). */
  snsPublishesPerMonth: number;
  /** Deliveries per publish, by protocol (the subscriptions of the example environment). */
  emailPerPublish: number;
  httpsPerPublish: number;
  /** What the deployment keeps in CloudWatch (its own telemetry is part of the bill). */
  cloudwatch: { customMetricSeries: number; alarms: number; dashboards: number; logGbPerMonth: number };
}

export interface SliceCost {
  slice: string;
  lambdaGbSeconds: number;
  lambdaUsd: number;
  requestsUsd: number;
  dynamoWriteUsd: number;
  dynamoReadUsd: number;
  dynamoStorageUsd: number;
}

export interface CostResult {
  /** Lambda, DynamoDB, SNS and CloudWatch. */
  totalUsd: number;
  /** Lambda, DynamoDB and SNS only: what runs the checks. */
  runUsd: number;
  slices: SliceCost[];
  snsUsd: number;
  cloudwatch: { metricsUsd: number; alarmsUsd: number; dashboardsUsd: number; logsUsd: number; totalUsd: number };
}

/**
 * What a run measured locally costs on Lambda: waiting (network) is the same there, CPU work is
 * slower by the share of a vCPU the memory setting buys (256 MB: 256/1769 of one vCPU).
 */
export function lambdaMs(wallMs: number, cpuMs: number, memoryMb: number, prices: Prices): number {
  const slowdown = Math.max(1, prices.lambda.mbPerVcpu / memoryMb);
  return Math.max(1, Math.ceil(wallMs + cpuMs * (slowdown - 1)));
}

export function monthlyCost(input: CostInput, prices: Prices): CostResult {
  const slices = input.slices.map((s): SliceCost => {
    const gbSeconds = s.runsPerMonth * (s.lambdaMs / 1000) * (s.memoryMb / 1024);
    const storedGb = s.storedBytes / 1024 ** 3;
    return {
      slice: s.slice,
      lambdaGbSeconds: gbSeconds,
      lambdaUsd: gbSeconds * prices.lambda.usdPerGbSecond,
      requestsUsd: (s.runsPerMonth / 1e6) * prices.lambda.usdPerMillionRequests,
      dynamoWriteUsd: ((s.runsPerMonth * s.writeUnitsPerRun) / 1e6) * prices.dynamodb.usdPerMillionWriteUnits,
      dynamoReadUsd: ((s.runsPerMonth * s.readUnitsPerRun) / 1e6) * prices.dynamodb.usdPerMillionReadUnits,
      dynamoStorageUsd: storedGb * (prices.dynamodb.usdPerGbMonth + prices.dynamodb.pitrUsdPerGbMonth),
    };
  });
  const p = input.snsPublishesPerMonth;
  const snsUsd =
    (p / 1e6) * prices.sns.usdPerMillionPublishes +
    p * input.emailPerPublish * prices.sns.usdPerEmail +
    ((p * input.httpsPerPublish) / 1e6) * prices.sns.usdPerMillionHttps;
  const runUsd =
    slices.reduce(
      (t, s) => t + s.lambdaUsd + s.requestsUsd + s.dynamoWriteUsd + s.dynamoReadUsd + s.dynamoStorageUsd,
      0,
    ) + snsUsd;
  const c = input.cloudwatch;
  const o = prices.other;
  const metricsUsd = c.customMetricSeries * o.cloudwatchUsdPerCustomMetricMonth;
  const alarmsUsd = c.alarms * o.cloudwatchUsdPerAlarmMonth;
  const dashboardsUsd = c.dashboards * o.cloudwatchUsdPerDashboardMonth;
  const logsUsd = c.logGbPerMonth * o.cloudwatchLogsUsdPerGbIngested;
  const cw = {
    metricsUsd,
    alarmsUsd,
    dashboardsUsd,
    logsUsd,
    totalUsd: metricsUsd + alarmsUsd + dashboardsUsd + logsUsd,
  };
  return { totalUsd: runUsd + cw.totalUsd, runUsd, slices, snsUsd, cloudwatch: cw };
}

export interface NetworkOption {
  option: string;
  usdPerMonth: number;
  note: string;
}

/** What running the functions inside a VPC adds, per option (traffic to AWS APIs is a few MB a month). */
export function networkingOptions(prices: Prices, azs: number, gbPerMonth: number): NetworkOption[] {
  const h = prices.hoursPerMonth;
  const n = prices.network;
  return [
    {
      option: "no VPC",
      usdPerMonth: 0,
      note: "functions reach the cluster, DynamoDB, SNS and Secrets Manager over Lambda's own network",
    },
    {
      option: "DynamoDB gateway endpoint",
      usdPerMonth: n.dynamodbGatewayEndpointUsd,
      note: "always created inside a VPC; gateway endpoints are free",
    },
    {
      option: "existing NAT gateway (awsApiAccess: nat)",
      usdPerMonth: gbPerMonth * n.natGatewayUsdPerGb,
      note: `data processing only (${gbPerMonth} GB/month assumed); the NAT's own hours are already paid`,
    },
    {
      option: `new NAT gateway, ${azs} AZ(s)`,
      usdPerMonth: azs * h * n.natGatewayUsdPerHour + gbPerMonth * n.natGatewayUsdPerGb,
      note: `$${n.natGatewayUsdPerHour}/h per NAT gateway, one per AZ for AZ independence`,
    },
    {
      option: `interface endpoints for SNS + Secrets Manager, ${azs} AZ(s) (awsApiAccess: endpoints)`,
      usdPerMonth: 2 * azs * h * n.interfaceEndpointUsdPerHourPerAz + gbPerMonth * n.interfaceEndpointUsdPerGb,
      note: `$${n.interfaceEndpointUsdPerHourPerAz}/h per endpoint per AZ`,
    },
  ];
}
