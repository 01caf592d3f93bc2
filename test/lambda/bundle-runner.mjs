// Runs a built Lambda bundle the way the Lambda runtime does: one import (the cold start), then
// `handler(event, context)` for each JSON event read from stdin, one at a time. Each outcome is
// written as one JSON line to fd 3, so stdout/stderr stay exactly what the function logged.
import { writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [bundle, functionName, timeoutMs] = process.argv.slice(2);
const report = (o) => writeSync(3, `${JSON.stringify(o)}\n`);

const t0 = performance.now();
const mod = await import(pathToFileURL(bundle).href);
report({ type: "ready", importMs: performance.now() - t0 });

let n = 0;
for await (const line of createInterface({ input: process.stdin })) {
  const event = JSON.parse(line);
  const started = Date.now();
  const deadline = started + Number(timeoutMs);
  const context = {
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: "256",
    awsRequestId: `req-${process.pid}-${++n}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  let outcome;
  try {
    const result = await mod.handler(event, context);
    outcome = { type: "result", ok: true, result, ms: Date.now() - started };
  } catch (e) {
    outcome = {
      type: "result",
      ok: false,
      error: { name: e?.name, message: e?.message, stack: e?.stack },
      ms: Date.now() - started,
    };
  }
  // stdout, stderr and fd 3 are separate pipes: markers tell the parent this invocation's logs are all in.
  process.stdout.write(`#done ${n}\n`);
  process.stderr.write(`#done ${n}\n`);
  report({ ...outcome, seq: n });
}
