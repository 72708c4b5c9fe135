/**
 * Command-line paths → raw inputs: files as given, directories walked
 * (hidden entries skipped, sorted for a stable order), `-` for stdin.
 */
import type {Stats} from "node:fs";
import {lstatSync, readdirSync, realpathSync, statSync} from "node:fs";
import {join, relative, resolve} from "node:path";
import type {RawInput} from "../import/import.js";
import {MAX_INPUT_BYTES} from "../import/limits.js";
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
    const stat = statOf(full, path);
    if (stat.isDirectory()) {
      for (const file of walk(full, new Set([realpathSync(full)])))
        inputs.push(fileInput(relative(terminal.cwd, file) || file, file));
    } else {
      inputs.push(fileInput(path, full, stat.size)); // a huge log is not read here: it may be streamed
    }
  }
  return inputs;
}

/**
 * A path's target (symbolic links followed), refused unless it is a regular
 * file or a directory: reading a device (/dev/zero) never ends and a FIFO
 * blocks until a writer comes.
 */
function statOf(full: string, shown: string): Stats {
  let stat: Stats;
  try {
    stat = statSync(full);
  } catch {
    throw new UsageError(
      lstatOrNull(full)?.isSymbolicLink()
        ? `${shown}: a symbolic link to a file that does not exist`
        : `${shown}: no such file or directory`
    );
  }
  if (!stat.isFile() && !stat.isDirectory()) {
    const kind = stat.isFIFO()
      ? "a FIFO"
      : stat.isCharacterDevice()
        ? "a character device"
        : stat.isBlockDevice()
          ? "a block device"
          : stat.isSocket()
            ? "a socket"
            : "not a regular file";
    throw new UsageError(
      `${shown}: ${kind}; benchbook imports regular files, directories, or - for standard input (cat it into -, which is read up to ${MAX_INPUT_BYTES / 2 ** 30} GiB)`
    );
  }
  return stat;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** Files under a directory, sorted; symbolic links followed (each directory once, so a link loop ends), hidden entries skipped. */
function walk(dir: string, seen: Set<string>): string[] {
  return readdirSync(dir, {withFileTypes: true})
    .filter((entry) => !entry.name.startsWith("."))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      const stat = entry.isSymbolicLink() ? statOf(path, path) : null;
      if (entry.isDirectory() || stat?.isDirectory()) {
        const real = realpathSync(path);
        if (seen.has(real)) return [];
        seen.add(real);
        return walk(path, seen);
      }
      if (entry.isFile() || stat?.isFile()) return [path];
      statOf(path, path); // a FIFO, a device, a socket: refused by name
      return [];
    });
}
