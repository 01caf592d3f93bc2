// Markdown for the cost side of the report: the monthly bill by line, the prices it assumed, and
// what running inside a VPC adds per option.
import type { BenchReport } from "./report.ts";

const usd = (x: number) => (x < 0.01 && x > 0 ? `$${x.toFixed(4)}` : `$${x.toFixed(2)}`);

export function renderCost(r: BenchReport): string {
  const { inputs, result } = r.cost_model;
  const rows = result.slices.flatMap((s) => {
    const i = inputs.slices.find((x) => x.slice === s.slice)!;
    // A report written before memory was priced per slice has one figure for all of them.
    const mb = (i as Partial<typeof i>).memoryMb ?? (inputs as { memoryMb?: number }).memoryMb;
    return [
      `| ${s.slice}: Lambda, ${i.lambdaMs} ms a run at ${mb} MB (${Math.round(s.lambdaGbSeconds).toLocaleString("en-US")} GB-s) | ${usd(s.lambdaUsd)} |`,
      `| ${s.slice}: Lambda requests (${i.runsPerMonth.toLocaleString("en-US")}) | ${usd(s.requestsUsd)} |`,
      `| ${s.slice}: DynamoDB writes, ${i.writeUnitsPerRun} WRU a run | ${usd(s.dynamoWriteUsd)} |`,
      `| ${s.slice}: DynamoDB reads, ${i.readUnitsPerRun} RRU a run (strongly consistent) | ${usd(s.dynamoReadUsd)} |`,
      `| ${s.slice}: DynamoDB storage + PITR, ${(i.storedBytes / 1e6).toFixed(2)} MB | ${usd(s.dynamoStorageUsd)} |`,
    ];
  });
  return [
    "| line (S = 10,000, every slice each minute) | per month |",
    "|---|---:|",
    ...rows,
    `| SNS, ${inputs.snsPublishesPerMonth.toLocaleString("en-US")} alert publishes | ${usd(result.snsUsd)} |`,
    `| **running the checks (the budget's definition)** | **${usd(result.runUsd)}** |`,
    `| CloudWatch: ${inputs.cloudwatch.customMetricSeries} custom metric series | ${usd(result.cloudwatch.metricsUsd)} |`,
    `| CloudWatch: ${inputs.cloudwatch.alarms} alarms | ${usd(result.cloudwatch.alarmsUsd)} |`,
    `| CloudWatch: ${inputs.cloudwatch.dashboards} dashboard (free for an account's first 3) | ${usd(result.cloudwatch.dashboardsUsd)} |`,
    `| CloudWatch Logs: ${inputs.cloudwatch.logGbPerMonth.toFixed(2)} GB a month | ${usd(result.cloudwatch.logsUsd)} |`,
    `| **total with CloudWatch** | **${usd(result.totalUsd)}** |`,
    "",
    "Not counted above:",
    "",
    "| item | per month |",
    "|---|---:|",
    ...r.cost_model.not_in_budget.map((x) => `| ${x.item} | ${usd(x.usd_per_month)} |`),
    "",
    "Assumptions:",
    "",
    ...r.cost_model.assumptions.map((a) => `- ${a}`),
  ].join("\n");
}

export function renderPrices(r: BenchReport): string {
  const p = r.prices;
  return [
    `| price (${p.region}, arm64, on demand, no free tier) | value |`,
    "|---|---:|",
    `| Lambda, per GB-second | $${p.lambda.usdPerGbSecond} |`,
    `| Lambda, per million requests | $${p.lambda.usdPerMillionRequests} |`,
    `| DynamoDB on demand, per million write request units | $${p.dynamodb.usdPerMillionWriteUnits} |`,
    `| DynamoDB on demand, per million read request units | $${p.dynamodb.usdPerMillionReadUnits} |`,
    `| DynamoDB storage, per GB-month (+ PITR $${p.dynamodb.pitrUsdPerGbMonth}) | $${p.dynamodb.usdPerGbMonth} |`,
    `| SNS, per million publishes / per e-mail / per million HTTPS | $${p.sns.usdPerMillionPublishes} / $${p.sns.usdPerEmail} / $${p.sns.usdPerMillionHttps} |`,
    `| NAT gateway, per hour / per GB | $${p.network.natGatewayUsdPerHour} / $${p.network.natGatewayUsdPerGb} |`,
    `| interface endpoint, per hour per AZ / per GB | $${p.network.interfaceEndpointUsdPerHourPerAz} / $${p.network.interfaceEndpointUsdPerGb} |`,
    `| DynamoDB gateway endpoint | $${p.network.dynamodbGatewayEndpointUsd} |`,
  ].join("\n");
}

export function renderNetworking(r: BenchReport): string {
  return [
    "| inside a VPC: option | adds per month | note |",
    "|---|---:|---|",
    ...r.networking.map((n) => `| ${n.option} | ${usd(n.usdPerMonth)} | ${n.note} |`),
  ].join("\n");
}
