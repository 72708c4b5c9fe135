/** The command line's process: argv in, exit status out (bin/benchbook.js and the bundle run this). */
import {main} from "./main.js";

// `benchbook parse … | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}
process.exitCode = await main(process.argv.slice(2));
