// Errors the Lambda handler throws on purpose. Each names what went wrong and what to check;
// none carries a secret value (only key names, ARNs and secret-free reasons).
import { LookoutError } from "../errors.ts";

/** The stack did not set a variable the handler needs. */
export class MissingEnvironmentError extends LookoutError {
  constructor(readonly variables: string[]) {
    super(
      `missing environment variable${variables.length > 1 ? "s" : ""} ${variables.join(", ")}: the deployment must set ${variables.length > 1 ? "them" : "it"} (see infra/lookout-construct.ts)`,
    );
  }
}

/** The NATS credentials secret is unreadable or not in the documented JSON shape. */
export class SecretError extends LookoutError {
  constructor(
    readonly secretArn: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`NATS credentials secret ${secretArn}: ${problem}`, options);
  }
}

/** The invocation's event is not a schedule for this function's slice. */
export class ScheduleEventError extends LookoutError {}

/** The run saw the cluster but could not save history or deliver notices; they stay pending. */
export class RunFailedError extends LookoutError {
  constructor(
    readonly slice: string,
    readonly problems: string[],
  ) {
    super(`${slice} run failed: ${problems.join("; ")}`);
  }
}
