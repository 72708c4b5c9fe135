/**
 * JSON embedded in a text: where a value starts and ends, and on which line
 * each part of it was printed, so every number keeps its source line.
 */
import type {Doc} from "../types.js";
import {ParseError} from "../types.js";

/** The text of logical lines [start, end] joined by newlines, with each line's offset. */
export interface TextSpan {
  text: string;
  /** offsets[i] is where logical line start+i begins in text. */
  offsets: number[];
  start: number;
}

export function spanOf(doc: Doc, start: number, end: number): TextSpan {
  const offsets: number[] = [];
  let text = "";
  for (let i = start; i <= end; i++) {
    offsets.push(text.length);
    text += doc.lines[i].text + (i < end ? "\n" : "");
  }
  return {text, offsets, start};
}

/** Physical line of an offset in a span. */
export function lineOf(doc: Doc, span: TextSpan, offset: number): number {
  let lo = 0;
  let hi = span.offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (span.offsets[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return doc.lines[span.start + lo].line;
}

/**
 * End (exclusive) of the JSON object or array that opens at `open`, or -1 if
 * the text ends first. Strings are skipped, so brackets inside them don't count.
 */
export function closingOf(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Start offsets of the elements of the array that opens at `open` (objects or arrays only). */
export function elementStarts(text: string, open: number, close: number): number[] {
  const starts: number[] = [];
  for (let i = open + 1; i < close - 1; i++) {
    const c = text[i];
    if (c === "{" || c === "[") {
      starts.push(i);
      i = closingOf(text, i) - 1;
      if (i < 0) break;
    } else if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    }
  }
  return starts;
}

/** JSON.parse with a ParseError that names the physical line of the failure. */
export function parseJsonAt<T>(doc: Doc, span: TextSpan, from: number, to: number, what: string): T {
  const slice = span.text.slice(from, to);
  try {
    return JSON.parse(slice) as T;
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const line = lineOf(doc, span, from + (position ? Number(position[1]) : 0));
    throw new ParseError(line, `valid JSON for ${what} (${message.replace(/\s*in JSON at position \d+.*$/, "")})`);
  }
}

/**
 * The first key given twice in one object of JSON text between `from` and
 * `to`: the key, and the offsets where it was given again and first. JSON.parse
 * keeps the last of the two silently. Strings are skipped; the scan jumps
 * from one bracket or quote to the next (a character loop cost 15% of a JSONL import).
 */
export function repeatedKey(text: string, from = 0, to = text.length): {key: string; at: number; first: number} | null {
  // One key set per open object (null for an array), each key with the offset where it was first given.
  const stack: (Map<string, number> | null)[] = [];
  const structure = /[{}[\]"]/g;
  structure.lastIndex = from;
  for (let m = structure.exec(text); m && m.index < to; m = structure.exec(text)) {
    const c = m[0];
    if (c === "{") stack.push(new Map());
    else if (c === "[") stack.push(null);
    else if (c === "}" || c === "]") stack.pop();
    else {
      let end = text.indexOf('"', m.index + 1);
      while (end > 0 && escaped(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0 || end >= to) break;
      structure.lastIndex = end + 1;
      const keys = stack[stack.length - 1];
      if (!keys) continue;
      let next = end + 1;
      while (text[next] === " " || text[next] === "\t") next++;
      if (text[next] !== ":") continue;
      const key = text.slice(m.index + 1, end);
      const first = keys.get(key);
      if (first !== undefined) return {key, at: m.index, first};
      keys.set(key, m.index);
    }
  }
  return null;
}

/** What is expected of a JSON object whose `key` was given twice, the first time on `firstLine`. */
export function repeatedKeyMessage(key: string, firstLine: number): string {
  return `each key once in a JSON object; "${key}" was given on line ${firstLine} already (JSON readers keep only one of the two values: remove the one that is wrong)`;
}

/** Whether the quote at `at` is escaped (an odd number of backslashes before it). */
function escaped(text: string, at: number): boolean {
  let n = 0;
  while (text.charCodeAt(at - 1 - n) === 0x5c) n++;
  return n % 2 === 1;
}
