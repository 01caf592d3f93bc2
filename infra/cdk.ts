// `import { NatsLookout } from "nats-lookout/cdk"`: the construct for a team's own CDK app, and the
// environment-file stack this repository's app (infra/app.ts) is built from, for apps that keep
// their environment files the same way in their own repository.
export { NatsLookout, type SliceResources } from "./lookout-construct.ts";
export {
  DEFAULTS,
  type AlertSubscription,
  type AwsApiAccess,
  type JsonObject,
  type LookoutNetworkProps,
  type LookoutSecretProps,
  type NatsLookoutProps,
  type Severity,
  type SliceDeployment,
  type SliceName,
  type SubscriptionProtocol,
} from "./lookout-props.ts";
export { LookoutPropsError } from "./validate-props.ts";
export { LookoutStack, stackNameFor } from "./stack.ts";
export {
  EnvironmentFileError,
  environmentNames,
  loadEnvironment,
  readEnvironment,
  type EnvironmentSettings,
} from "./environment-file.ts";
