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
