// AWS list prices the cost model assumes: us-east-1, Lambda on arm64, on-demand, no free tier,
// a month of 730 hours (AWS's own convention). Checked against the public price pages in 2025
// (DynamoDB on-demand after the November 2024 cut). Prices change: the report prints these.
export const PRICES = {
  region: "us-east-1",
  hoursPerMonth: 730,
  lambda: {
    /** arm64, first 7.5 billion GB-seconds a month. */
    usdPerGbSecond: 0.0000133334,
    usdPerMillionRequests: 0.2,
    /** Memory at which a function gets one full vCPU (CPU share scales linearly below it). */
    mbPerVcpu: 1769,
  },
  dynamodb: {
    usdPerMillionWriteUnits: 0.625,
    usdPerMillionReadUnits: 0.125,
    usdPerGbMonth: 0.25,
    /** Point-in-time recovery (the stack turns it on), per GB-month of table size. */
    pitrUsdPerGbMonth: 0.2,
  },
  sns: {
    usdPerMillionPublishes: 0.5,
    usdPerEmail: 2 / 100_000,
    usdPerMillionHttps: 0.6,
  },
  /** Not in the cost definition; listed so nobody is surprised. */
  other: {
    secretsManagerUsdPerSecretMonth: 0.4,
    secretsManagerUsdPer10kCalls: 0.05,
    cloudwatchUsdPerAlarmMonth: 0.1,
    cloudwatchUsdPerCustomMetricMonth: 0.3,
    cloudwatchUsdPerDashboardMonth: 3,
    cloudwatchLogsUsdPerGbIngested: 0.5,
  },
  network: {
    natGatewayUsdPerHour: 0.045,
    natGatewayUsdPerGb: 0.045,
    interfaceEndpointUsdPerHourPerAz: 0.01,
    interfaceEndpointUsdPerGb: 0.01,
    dynamodbGatewayEndpointUsd: 0,
  },
} as const;

export type Prices = typeof PRICES;
