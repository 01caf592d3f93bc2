// Lambda entry for the streams slice (bundled by infra/bundling.ts, scheduled by the stack).
import { makeHandler } from "../lib/lambda/handler.ts";
import { streamsSlice } from "../lib/slices/streams.ts";

export const handler = makeHandler(streamsSlice);
