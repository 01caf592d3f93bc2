// The project's own CDK app: one stack per environment file, chosen with `-c env=<name>`
// (`npx cdk synth -c env=staging`, `npx cdk deploy -c env=prod`).
import { App } from "aws-cdk-lib";
import { LookoutError } from "../lib/errors.ts";
import { environmentNames, loadEnvironment } from "./environment-file.ts";
import { LookoutStack } from "./stack.ts";

try {
  const app = new App();
  const env: unknown = app.node.tryGetContext("env");
  if (typeof env !== "string" || env === "") {
    throw new LookoutError(
      `choose an environment: npx cdk synth -c env=<${environmentNames().join("|")}> (files in infra/environments/)`,
    );
  }
  new LookoutStack(app, loadEnvironment(env));
  app.synth();
} catch (e) {
  // Settings problems are the user's to fix: print what to do, not a stack trace.
  if (!(e instanceof LookoutError)) throw e;
  console.error(`nats-lookout: ${e.message}`);
  process.exit(1);
}
