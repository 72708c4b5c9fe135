/**
 * JSON objects inside a text, one or one per line, between other output. Python writes NaN/Infinity: read as
 * {@link NonFinite} markers, never as numbers.
 */
import {closingOf, lineOf, spanOf, type TextSpan} from "./json-text.js";
import type {Doc} from "../types.js";
import {ParseError} from "../types.js";

export interface NonFinite {
  nonFinite: "NaN" | "Infinity" | "-Infinity";
}

export function isNonFinite(value: unknown): value is NonFinite {
  return typeof value === "object" && value !== null && "nonFinite" in value && Object.keys(value).length === 1;
}

const MARKER = "__benchbook_nonfinite__";

/** Replace bare NaN/Infinity/-Infinity outside strings with marker objects, so JSON.parse accepts the text. */
function markNonFinite(text: string): string {
  let out = "";
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      continue;
    }
    const m = /^(-?Infinity|NaN)/.exec(text.slice(i, i + 9));
    if (m && !/[A-Za-z0-9_]/.test(text[i - 1] ?? "")) {
      out += text.slice(last, i) + `{"${MARKER}":"${m[1]}"}`;
      i += m[1].length - 1;
      last = i + 1;
    }
  }
  return out + text.slice(last);
}

function restoreNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === "object" && value !== null && MARKER in value)
    return {nonFinite: (value as Record<string, string>)[MARKER]};
  return value;
}

/** Parse Python-flavoured JSON; a syntax error names the physical line. */
export function parseLenient(doc: Doc, span: TextSpan, from: number, to: number, what: string): unknown {
  const slice = span.text.slice(from, to);
  try {
    return JSON.parse(markNonFinite(slice), restoreNonFinite);
  } catch (error) {
    const message = (error as Error).message;
    // Positions in the marked text drift after a marker; the line is still close, and it is the best we have.
    const position = /position (\d+)/.exec(message);
    const offset = Math.min(from + (position ? Number(position[1]) : 0), to - 1);
    throw new ParseError(
      lineOf(doc, span, Math.max(from, offset)),
      `valid JSON for ${what} (${message.replace(/\s*in JSON at position \d+.*$/, "").replace(/\s*\(line \d+ column \d+\)$/, "")})`
    );
  }
}

export interface JsonObjectAt {
  /** Logical line indexes of the object's first and last line. */
  start: number;
  end: number;
  /** Offsets in the span. */
  from: number;
  to: number;
}

/**
 * Every top-level JSON object whose text `accept`s, in order. An object opens
 * on a line whose text starts with `{`; one that never closes is skipped here
 * (the parser names its line when the block is parsed).
 */
export function findJsonObjects(
  doc: Doc,
  accept: (text: string) => boolean,
  span: TextSpan = spanOf(doc, 0, doc.lines.length - 1)
): JsonObjectAt[] {
  const found: JsonObjectAt[] = [];
  for (let i = span.start; i < span.start + span.offsets.length; i++) {
    const text = doc.lines[i].text;
    const indent = text.length - text.trimStart().length;
    if (text.trimStart()[0] !== "{") continue;
    const from = span.offsets[i - span.start] + indent;
    const to = closingOf(span.text, from);
    if (to < 0) continue;
    if (!accept(span.text.slice(from, to))) continue;
    const end = lineIndexOf(span, to - 1);
    found.push({start: i, end, from, to});
    i = end;
  }
  return found;
}

/** Logical line index of an offset in a span. */
function lineIndexOf(span: TextSpan, offset: number): number {
  let lo = 0;
  let hi = span.offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (span.offsets[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return span.start + lo;
}

/** Consecutive objects with only blank lines (or nothing) between them form one block. */
export function groupAdjacent(doc: Doc, objects: JsonObjectAt[]): JsonObjectAt[][] {
  const groups: JsonObjectAt[][] = [];
  for (const object of objects) {
    const last = groups.at(-1)?.at(-1);
    const gapIsBlank =
      last !== undefined && doc.lines.slice(last.end + 1, object.start).every((l) => l.text.trim() === "");
    if (last && gapIsBlank) groups.at(-1)!.push(object);
    else groups.push([object]);
  }
  return groups;
}

/** Physical line of the first `"key":` at or after `from` (before `to`), else of `from`. */
export function lineOfKey(doc: Doc, span: TextSpan, key: string, from: number, to: number): number {
  const at = span.text.indexOf(`"${key}"`, from);
  return lineOf(doc, span, at >= 0 && at < to ? at : from);
}
