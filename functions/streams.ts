// Lambda entry for the streams slice (bundled by infra/bundling.ts, scheduled by the stack).
// The slice is resolved by name at cold start, from the registry in lib/slices/index.ts.
import { makeHandler } from "../lib/lambda/handler.ts";

export const handler = makeHandler("streams");
