/**
 * Files the export writes under src/data/: each replaced atomically (a
 * temporary file renamed into place; not flushed to disk, since all of it
 * can be exported again). Temporary names carry the process and thread, as
 * export shards on worker threads write side by side.
 */
import {
  copyFileSync,
  existsSync,
  linkSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync
} from "node:fs";
import {join} from "node:path";
import {threadId} from "node:worker_threads";

const tmpOf = (path: string) => `${path}.tmp-${process.pid}-${threadId}`;

/** An exported file, replaced atomically. */
export function writeDerived(path: string, text: string): void {
  const tmp = tmpOf(path);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Whether `path` already holds exactly `text` (its size is compared before its bytes are read). */
export function unchanged(path: string, text: string): boolean {
  if (!existsSync(path) || statSync(path).size !== Buffer.byteLength(text)) return false;
  return readFileSync(path, "utf8") === text;
}

/**
 * Place a raw file unless an identical one is already there (raw files are
 * content-addressed): a hard link to the store's copy where the file system
 * allows it (the store never rewrites a raw file in place, and src/data is
 * generated, not edited), else a copy.
 */
export function linkOrCopy(from: string, to: string): void {
  if (existsSync(to) && statSync(to).size === statSync(from).size) return;
  const tmp = tmpOf(to);
  rmSync(tmp, {force: true});
  try {
    linkSync(from, tmp);
  } catch {
    copyFileSync(from, tmp);
  }
  renameSync(tmp, to);
}

/** Delete the files of `dir` whose name, less `extension`, is not in `keep` (a removed input's raw copy, a run no longer stored). */
export function prune(dir: string, extension: string, keep: Set<string>): void {
  for (const file of readdirSync(dir)) {
    if (!keep.has(file.endsWith(extension) ? file.slice(0, -extension.length) : file))
      rmSync(join(dir, file), {force: true});
  }
}
