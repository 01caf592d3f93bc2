// Lambda entry for the meta slice (bundled by infra/bundling.ts, scheduled by the stack).
import { makeHandler } from "../lib/lambda/handler.ts";

export const handler = makeHandler("meta");
