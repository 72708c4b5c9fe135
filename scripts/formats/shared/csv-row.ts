/**
 * One CSV row, read strictly: d3-dsv reads a row with a broken quote
 * (`"AMD EPYC,"CPU"`) without complaint and shifts or empties its fields, so a
 * row is checked against RFC 4180 quoting before it is split.
 */
import {csvParseRows} from "d3-dsv";
import {ParseError} from "../types.js";

/** Each field bare (no quote) or wholly quoted, with quotes inside doubled. */
const WELL_QUOTED = /^(?:"(?:[^"]|"")*"|[^",]*)(?:,(?:"(?:[^"]|"")*"|[^",]*))*$/;

/** The cells of one physical line of CSV; a ParseError at `line` if its quotes do not pair up. */
export function csvRow(text: string, line: number): string[] {
  if (text.includes('"') && !WELL_QUOTED.test(text))
    throw new ParseError(
      line,
      "CSV values each either bare or wholly in double quotes (a quote here is not closed, or stands inside a bare value)",
      text
    );
  return csvParseRows(text)[0] ?? [];
}
