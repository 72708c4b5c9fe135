import {mkdtempSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {main} from "../../scripts/cli/main.js";
import type {Terminal} from "../../scripts/cli/io.js";

export function tempDir(prefix = "benchbook-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Run the CLI in-process with captured output. */
export async function cli(
  argv: string[],
  {
    cwd = process.cwd(),
    stdin = "",
    env = {}
  }: {cwd?: string; stdin?: string | Uint8Array; env?: Record<string, string>} = {}
) {
  let stdout = "";
  let stderr = "";
  const terminal: Terminal = {
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    stdin: async () => (typeof stdin === "string" ? Buffer.from(stdin) : stdin),
    isTTY: false,
    cwd,
    env: {...process.env, BENCHBOOK_STORE: "", ...env}
  };
  const code = await main(argv, terminal);
  return {code, stdout, stderr};
}
