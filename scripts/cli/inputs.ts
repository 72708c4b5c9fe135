/**
 * Command-line paths → raw inputs: files as given, directories walked
 * (hidden entries skipped, sorted for a stable order), `-` for stdin.
 */
import {readdirSync, statSync} from "node:fs";
import {join, relative, resolve} from "node:path";
import type {RawInput} from "../import/import.js";
import {fileInput} from "../import/stream.js";
import type {Terminal} from "./io.js";
import {UsageError} from "./io.js";

/** `stdinName` names standard input (`--name post.md`); `-` otherwise. */
export async function collectInputs(paths: string[], terminal: Terminal, stdinName = "-"): Promise<RawInput[]> {
  if (paths.length === 0) throw new UsageError("no input given: name files, directories, or - for standard input");
  const inputs: RawInput[] = [];
  for (const path of paths) {
    if (path === "-") {
      inputs.push({name: stdinName, bytes: await terminal.stdin()});
      continue;
    }
    const full = resolve(terminal.cwd, path);
    let stat;
    try {
      stat = statSync(full);
    } catch {
      throw new UsageError(`${path}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      for (const file of walk(full)) inputs.push(fileInput(relative(terminal.cwd, file) || file, file));
    } else {
      inputs.push(fileInput(path, full, stat.size)); // a huge log is not read here: it may be streamed
    }
  }
  return inputs;
}

function walk(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true})
    .filter((entry) => !entry.name.startsWith("."))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : []));
}
