/** The command line's process: argv in, exit status out (bin/benchbook.js and the bundle run this). */
import {main} from "./main.js";

// `benchbook parse … | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const code = await main(process.argv.slice(2));
process.exitCode = code;
// The command is done (processTerminal's exitsAfter): exit once what it printed is written, without waiting for what
// it left open to be torn down.
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
