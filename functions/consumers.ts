// Lambda entry for the consumers slice (bundled by infra/bundling.ts, scheduled by the stack).
import { makeHandler } from "../lib/lambda/handler.ts";
import { consumersSlice } from "../lib/slices/consumers.ts";

export const handler = makeHandler(consumersSlice);
