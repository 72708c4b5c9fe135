/**
 * The writeup behind hand-entered numbers (docs/hand-entered.md): kept verbatim as an attachment, each entry's
 * `line` checked against its `text`, its sha256 recorded so pages can link a value to its line.
 */
import {createHash} from "node:crypto";
import type {ParsedRun} from "../formats/types.js";
import {splitPhysicalLines} from "./lines.js";
import {InputError} from "./read.js";

/** Bytes of the writeup a path names, or null when there is no such file. */
export type WriteupReader = (path: string) => Uint8Array | null;

export interface WriteupAttachment {
  role: "writeup";
  sha256: string;
  /** Path in the store (`raw/<sha256>.<ext>`). */
  raw: string;
  bytes: Uint8Array;
  /** The path as the observations file wrote it. */
  path: string;
}

interface Declared {
  path: string;
  /** The `writeup:` line of the observations file. */
  line: number;
  sha256?: string;
}

const declaredOf = (run: ParsedRun): Declared | null => {
  const writeup = run.extra.writeup as Declared | undefined;
  return writeup && typeof writeup.path === "string" ? writeup : null;
};

/** `178`, `"17-21"`, `"18, 46-128"` → the line numbers they cite. */
export function citedLines(cited: unknown): number[] {
  if (typeof cited === "number") return [cited];
  if (typeof cited !== "string") return [];
  return cited.split(",").flatMap((part) => {
    const [from, to] = part.split("-").map((n) => Number(n.trim()));
    if (!Number.isInteger(from)) return [];
    const last = Number.isInteger(to) ? to : from;
    return Array.from({length: Math.max(0, last - from + 1)}, (_, i) => from + i);
  });
}

const collapse = (text: string) => text.replace(/\s+/g, " ").trim();

function utf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", {fatal: true}).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Resolve, check and attach the writeups that hand-entered runs name. Runs
 * are changed in place: `extra.writeup` gets the sha256, each value with a
 * writeup line gets `extra.writeup_sha256`. Throws InputError (file = the
 * observations file, line = its `writeup:` line or the value's line) when the
 * writeup cannot be read or a cited line does not hold the cited text.
 */
export function attachWriteups(
  runs: ParsedRun[],
  inputName: string,
  read: WriteupReader,
  extension: (path: string) => string
): WriteupAttachment[] {
  const attachments = new Map<string, WriteupAttachment>();
  const lines = new Map<string, string[]>();
  for (const run of runs) {
    const declared = declaredOf(run);
    if (!declared) continue;
    if (!lines.has(declared.path)) {
      let bytes: Uint8Array | null;
      try {
        bytes = read(declared.path);
      } catch (error) {
        // A reader refuses a path (one outside the observations file's folder) by throwing.
        throw new InputError(inputName, declared.line, `writeup: ${(error as Error).message}`);
      }
      if (!bytes)
        throw new InputError(
          inputName,
          declared.line,
          `writeup: expected the file ${JSON.stringify(declared.path)} (a path relative to the observations file); it was not found`
        );
      const text = utf8(bytes);
      if (text === null)
        throw new InputError(
          inputName,
          declared.line,
          `writeup: expected ${JSON.stringify(declared.path)} to be UTF-8 text`
        );
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      attachments.set(declared.path, {
        role: "writeup",
        sha256,
        raw: `raw/${sha256}.${extension(declared.path)}`,
        bytes,
        path: declared.path
      });
      lines.set(declared.path, splitPhysicalLines(text.replace(/^\uFEFF/, "")));
    }
    const attachment = attachments.get(declared.path)!;
    const writeupLines = lines.get(declared.path)!;
    run.extra.writeup = {path: declared.path, line: declared.line, sha256: attachment.sha256};
    for (const result of run.results) {
      const cited = citedLines(result.extra?.source_line);
      if (cited.length === 0) continue;
      const beyond = cited.find((n) => n < 1 || n > writeupLines.length);
      if (beyond !== undefined)
        throw new InputError(
          inputName,
          result.line,
          `line: expected a line of the writeup ${declared.path} (1-${writeupLines.length}), found ${beyond}`
        );
      if (result.text) {
        const wanted = collapse(result.text);
        if (!cited.some((n) => collapse(writeupLines[n - 1]).includes(wanted))) {
          const shown = collapse(writeupLines[cited[0] - 1]);
          throw new InputError(
            inputName,
            result.line,
            `text: expected ${JSON.stringify(result.text)} as written on line ${result.extra!.source_line} of the writeup ${declared.path}, which reads ${JSON.stringify(shown.length > 80 ? `${shown.slice(0, 79)}…` : shown)}`
          );
        }
      }
      result.extra = {...result.extra, writeup_sha256: attachment.sha256};
    }
  }
  return [...attachments.values()];
}
