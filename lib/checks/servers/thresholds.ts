// The servers slice's thresholds, as the configuration set them (lib/thresholds/servers.ts).
import type { LookoutConfig } from "../../config/config.ts";
import type { ServerThresholds } from "../../thresholds/servers.ts";

export { DEFAULT_SERVER_THRESHOLDS, type ServerThresholds } from "../../thresholds/servers.ts";

export const serverThresholds = (config: Pick<LookoutConfig, "thresholds">): ServerThresholds =>
  config.thresholds.servers;
