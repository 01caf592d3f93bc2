#!/usr/bin/env node
// `npx lookout` in a checkout: runs the TypeScript CLI through tsx (a dependency), no build step.
import { register } from "tsx/esm/api";
register();
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
