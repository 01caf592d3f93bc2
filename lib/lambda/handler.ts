// The Lambda handler of every slice: `functions/<slice>.ts` is `export const handler = makeHandler(<slice>)`,
// importing only its own slice so each bundle holds only its own collector and checks.
// One core, thin adapters: the work is runSlice's, exactly as in `lookout check`; this file adds the
// cold-start cache, the connection's lifetime, telemetry, and the rule that a run the monitor cannot
// vouch for fails the invocation (so the stack's error alarm fires) after saving what it could.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Context } from "aws-lambda";
import { BlindError } from "../errors.ts";
import { countBySeverity } from "../findings/status.ts";
import type { Status } from "../findings/status.ts";
import { isAuthError } from "../nats/connect.ts";
import { SharedConnection } from "../run/connection.ts";
import { runSlice, type RunReport } from "../run/run-slice.ts";
import type { Slice } from "../slices/slice.ts";
import { coldStart, type FunctionRuntime } from "./cold-start.ts";
import { LAMBDA_ENV, type Env } from "./environment.ts";
import { RunFailedError } from "./errors.ts";
import { readScheduledEvent, startDelayMs } from "./event.ts";
import { METRIC_DIMENSIONS, METRIC_NAMESPACE } from "./metric-names.ts";
import { logRun, recordRunMetrics } from "./telemetry.ts";

/** What an invocation returns (ignored by the scheduler; handy for `aws lambda invoke`). */
export interface RunSummary {
  slice: string;
  cluster: string;
  runId: string;
  status: Status;
  findings: number;
  bySeverity: Record<"critical" | "warning" | "info", number>;
  noticesSent: number;
  durationMs: number;
}

export type ScheduledHandler = (event: unknown, context: Context) => Promise<RunSummary>;

export interface HandlerOptions {
  /** Environment to read (default process.env). */
  env?: Env;
}

/** The error an invocation must end with, if any: blind beats the rest, both say everything. */
export function failureOf(report: RunReport): Error | undefined {
  if (report.status === "unknown") {
    const blind = report.findings.filter((f) => f.id === "monitor_blind").map((f) => f.summary);
    return new BlindError(`${report.slice} run is blind: ${[...blind, ...report.errors].join("; ")}`);
  }
  if (report.errors.length) return new RunFailedError(report.slice, report.errors);
  return undefined;
}

/**
 * When collection must stop so the run can still save history and notify before Lambda's timeout:
 * 30 % of the remaining time, at least 10 s, is kept for those.
 */
export function collectionDeadline(now: number, remainingMs: number): number {
  return now + remainingMs - Math.max(10_000, Math.round(remainingMs * 0.3));
}

export function makeHandler(slice: Slice, options: HandlerOptions = {}): ScheduledHandler {
  const sliceName = slice.name;
  const env = options.env ?? process.env;
  // Once per cold start (module scope of the bundle): logger, metrics, the Secrets Manager client.
  const logger = new Logger({ persistentKeys: { slice: sliceName } });
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE });
  metrics.setDefaultDimensions({ [METRIC_DIMENSIONS.slice]: sliceName });
  const secrets = new SecretsManagerClient({});
  let runtime: Promise<FunctionRuntime> | undefined;

  return async (event, context) => {
    logger.addContext(context);
    // No ColdStart metric: one more paid series per function; the "cold start ready" log line has it.
    if (env[LAMBDA_ENV.detailedMetrics] === "1") metrics.captureColdStartMetric(context.functionName);
    const scheduled = readScheduledEvent(event, sliceName);
    const isColdStart = runtime === undefined;
    runtime ??= coldStart(slice, env, secrets).catch((e: unknown) => {
      runtime = undefined;
      throw e;
    });
    let rt: FunctionRuntime;
    try {
      rt = await runtime;
    } catch (e) {
      logger.error("cold start failed", e as Error);
      throw e;
    }
    if (isColdStart) {
      logger.info("cold start ready", { initMs: rt.initMs });
      // Configuration that still works but will not next release (old key names): said once per instance.
      for (const w of rt.config.warnings ?? []) logger.warn(`configuration: ${w}`);
    }

    // A rotated secret is picked up once the cached value is older than its max age; a read that
    // fails keeps the credentials already held (the run still happens, the log says why).
    try {
      const { nats, changed } = await rt.credentials.read();
      if (changed) rt.config = rt.withCredentials(nats);
    } catch (e) {
      logger.warn("NATS credentials secret not re-read; using the credentials held", e as Error);
    }
    let conn = new SharedConnection(rt.config.nats, rt.config.timeouts.connectMs);
    // A refused login right after a rotation: read the secret again at once and retry with it.
    const connection = async () => {
      try {
        return await conn.get();
      } catch (e) {
        if (!isAuthError(e)) throw e;
        const fresh = await rt.credentials.read(true).catch(() => undefined);
        if (!fresh?.changed) throw e;
        logger.info("NATS credentials rotated: connecting with the new ones");
        rt.config = rt.withCredentials(fresh.nats);
        await conn.close();
        conn = new SharedConnection(rt.config.nats, rt.config.timeouts.connectMs);
        return conn.get();
      }
    };
    let report: RunReport;
    try {
      report = await runSlice(rt.slice, {
        config: rt.config,
        history: rt.history,
        notifiers: rt.notifiers,
        connection,
        // Same wiring as the CLI: a run attached to a hung server retries through another one.
        failover: () => conn.failover(),
        describeError: (e) => conn.describe(e),
        runId: context.awsRequestId,
        deadline: collectionDeadline(Date.now(), context.getRemainingTimeInMillis()),
      });
    } finally {
      await conn.close();
    }
    try {
      recordRunMetrics(report, metrics, { detailed: env[LAMBDA_ENV.detailedMetrics] === "1" });
    } finally {
      metrics.publishStoredMetrics();
    }
    logRun(report, logger, {
      startDelayMs: startDelayMs(scheduled, report.startedAt),
      scheduledTime: scheduled.scheduledTime,
      executionId: scheduled.executionId,
    });

    const failure = failureOf(report);
    if (failure) throw failure;
    return {
      slice: report.slice,
      cluster: report.cluster,
      runId: report.runId,
      status: report.status,
      findings: report.findings.length,
      bySeverity: countBySeverity(report.findings),
      noticesSent: report.notices.sent.length,
      durationMs: report.durationMs,
    };
  };
}
