// Lambda entry for the meta slice (bundled by infra/bundling.ts, scheduled by the stack).
import { makeHandler } from "../lib/lambda/handler.ts";
import { metaSlice } from "../lib/slices/meta.ts";

export const handler = makeHandler(metaSlice);
