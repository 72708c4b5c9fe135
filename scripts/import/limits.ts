/**
 * What an input may be before and after it is read: checks that turn a
 * hostile or broken input into a message naming its file and line instead
 * of a crash, a hang or a silently wrong value (docs/security.md).
 */
import {InputError} from "../document/read.js";
import {repeatedKey, repeatedKeyMessage} from "../formats/shared/json-text.js";
import type {ParsedRun} from "../formats/types.js";

/**
 * The most bytes of an input read whole (files this large that no line-local
 * log format can stream, standard input): `/dev/zero` or a runaway log is
 * refused instead of filling memory.
 */
export const MAX_INPUT_BYTES = 1024 * 1024 * 1024;

/** Brackets nested deeper than this are refused before any parser sees them (JSON parsers recurse). */
export const MAX_NESTING = 1000;

/** A physical line longer than this is refused (a 200 MB line would cost gigabytes to split and scan). */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

/** Throw InputError where brackets first nest deeper than MAX_NESTING, or a line is longer than MAX_LINE_CHARS. */
export function checkShape(name: string, text: string): void {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_NESTING)
        throw new InputError(
          name,
          line,
          `brackets nested at most ${MAX_NESTING} deep (JSON this deep is not a tool's output)`
        );
    } else if (c === 0x5d || c === 0x7d) {
      if (depth > 0) depth--;
    } else if (c === 0x0a || c === 0x0d) {
      if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
      line++;
      lineStart = i + 1;
    } else if (i - lineStart > MAX_LINE_CHARS) {
      throw new InputError(
        name,
        line,
        `lines of at most ${MAX_LINE_CHARS / 2 ** 20} MiB characters (this one is longer)`
      );
    }
  }
}

/**
 * Values a parser read as numbers must be finite: `1e309` or a 400-digit
 * number overflows to Infinity, which JSON would store as null beside status
 * ok. Negative throughput is kept as printed, and said in the run's notes.
 */
export function checkValues(name: string, runs: ParsedRun[]): void {
  for (const run of runs) {
    for (const result of run.results) {
      for (const [field, value] of [
        ["value", result.value],
        ["stddev", result.stddev]
      ] as const) {
        if (typeof value === "number" && !Number.isFinite(value))
          throw new InputError(
            name,
            result.line,
            `a finite number for ${result.test} ${result.metric} ${field} (the number printed${result.text ? `, ${JSON.stringify(result.text)},` : ""} overflows a 64-bit float)`
          );
      }
      if (result.samples?.some((s) => !Number.isFinite(s)))
        throw new InputError(name, result.line, `finite numbers in the samples of ${result.test} ${result.metric}`);
      if (
        result.status === "ok" &&
        result.metric.endsWith("throughput") &&
        typeof result.value === "number" &&
        result.value < 0
      ) {
        run.notes.push(
          `line ${result.line}: ${result.test} ${result.metric} is negative (${result.value} ${result.unit}), as printed`
        );
      }
    }
  }
}

/** Formats whose parser checks each record's keys itself, more cheaply (llama-bench JSONL: most of a large store's bytes). */
const KEYS_CHECKED_BY_PARSER = new Set(["llama-bench-jsonl"]);

/**
 * A JSON object must name each key once: JSON.parse keeps the last of two
 * `"avg_ts"` silently, so which number was meant is unknowable. The text of
 * every block read as JSON is scanned and the second key is refused at its line.
 */
export function checkJsonKeys(
  name: string,
  text: string,
  blocks: readonly {format: string; line_start: number; line_end: number}[]
): void {
  for (const block of blocks) {
    if (!block.format.includes("json") || KEYS_CHECKED_BY_PARSER.has(block.format)) continue;
    const repeated = repeatedKey(text, lineOffset(text, block.line_start), lineOffset(text, block.line_end + 1));
    if (repeated)
      throw new InputError(
        name,
        lineOf(text, repeated.at),
        repeatedKeyMessage(repeated.key, lineOf(text, repeated.first))
      );
  }
}

const LINE_BREAK = /\r\n|\n|\r/g;

/** Offset where a 1-based line starts (the text's length past its last line). */
function lineOffset(text: string, line: number): number {
  LINE_BREAK.lastIndex = 0;
  let at = 0;
  for (let n = 1; n < line; n++) {
    const m = LINE_BREAK.exec(text);
    if (!m) return text.length;
    at = m.index + m[0].length;
  }
  return at;
}

/** The 1-based line of an offset. */
function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split(/\r\n|\n|\r/).length;
}
