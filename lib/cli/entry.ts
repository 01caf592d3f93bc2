// The CLI's process entry (bundled to dist/cli.js by scripts/build.ts): runs main() and exits with
// its code. A check that hit its timeout leaves work behind that cannot be cancelled (a hung file
// system): exit once stdout is flushed instead of waiting for it.
import { main } from "./main.ts";

const r = await main(process.argv.slice(2));
if (r.mustExit) process.stdout.write("", () => process.exit(r.code));
else process.exitCode = r.code;
