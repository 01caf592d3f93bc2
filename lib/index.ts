// The library entry (`import ... from "nats-lookout"`): run the checks from your own code with the
// same configuration, slices, history and output formats as `lookout check`.
export { runCheck, selectSlices, type CheckOptions, type CheckResult } from "./cli/check.ts";
export { buildConfig, loadConfig } from "./config/load.ts";
export { DEFAULT_CONFIG, type LookoutConfig } from "./config/config.ts";
export {
  exitCodeOf,
  FORMATS,
  outcomeStatus,
  render,
  renderFailure,
  statusLine,
  type CheckOutcome,
  type Format,
} from "./output/render.ts";
export { runSlice, type RunReport } from "./run/run-slice.ts";
export { SLICES, sliceNamed } from "./slices/index.ts";
export { FileHistoryStore } from "./history/file-store.ts";
export type { HistoryStore } from "./history/store.ts";
export { CHECKS, type CheckDefinition, type CheckId, type SliceName } from "./checks/catalog.ts";
export { SEVERITIES, type Finding, type Severity } from "./findings/finding.ts";
export { BlindError, ConfigError, HistoryError, LookoutError } from "./errors.ts";
