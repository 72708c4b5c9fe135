// Entry of the one-file build (scripts/cli/bundle.ts): what bin/benchbook.js
// does, minus tsx, for a machine that has Node.js and nothing else.
import {main} from "./main.js";

// `benchbook parse … | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
