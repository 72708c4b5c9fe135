/**
 * The effects a command has on the world, injected so tests can capture them
 * (the way Framework injects a logger and an output into its loaders).
 */
export interface Terminal {
  out(text: string): void;
  err(text: string): void;
  /** All of standard input. */
  stdin(): Promise<Uint8Array>;
  /** Whether stdout/stderr is a terminal (progress bars, colors). */
  isTTY: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * The process ends when the command returns (the CLI's own terminal): what the command holds, such as a DuckDB
   * database, goes with the process instead of being torn down first (10–30 ms of CPU for a compare).
   */
  exitsAfter?: boolean;
}

export function processTerminal(): Terminal {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    stdin: async () => {
      // Loaded here: limits.ts imports the document reader and every format, which no other command's start needs.
      const {MAX_INPUT_BYTES} = await import("../import/limits.js");
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of process.stdin) {
        size += (chunk as Buffer).length;
        if (size > MAX_INPUT_BYTES)
          throw new UsageError(
            `standard input: more than ${MAX_INPUT_BYTES / 2 ** 30} GiB; save it to a file (large logs are streamed from files)`
          );
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks);
    },
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    env: process.env,
    exitsAfter: true
  };
}

/** A command's own failure (bad arguments): message to stderr, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
