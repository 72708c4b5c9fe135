import {readFileSync} from "node:fs";
import {fileURLToPath} from "node:url";
import {readInput} from "../../scripts/import/import.js";
import type {ReadInput} from "../../scripts/import/import.js";
import {toRow, type Row} from "../../scripts/schema/row.js";

export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

export function fixturePath(name: string): string {
  return FIXTURES + name;
}

export function fixtureText(name: string): string {
  return readFileSync(fixturePath(name), "utf8");
}

/** Read text as an import would (nothing is written), with a fixed clock. */
export function read(
  text: string,
  name = "input.txt",
  options: {format?: string; runtime?: string; strict?: boolean} = {}
): ReadInput {
  return readInput({name, bytes: Buffer.from(text, "utf8")}, {...options, now: () => new Date("2026-01-01T00:00:00Z")});
}

export function readFixture(name: string, options: {format?: string; runtime?: string} = {}): ReadInput {
  return read(fixtureText(name), name, options);
}

/** Flat rows (what `parse --json` prints) of a reading. */
export function rowsOf(reading: ReadInput): Row[] {
  return reading.stored.runs.flatMap((run) => run.results.map((result) => toRow(run, result, false)));
}

/**
 * An oracle independent of the parser: every `value ± sd` printed in the
 * text's table rows, in order of appearance.
 */
export function printedPlusMinus(text: string): {value: number; stddev: number}[] {
  return [...text.matchAll(/\|\s*(-?\d+(?:\.\d+)?)\s*±\s*(\d+(?:\.\d+)?)\s*\|/g)].map((m) => ({
    value: Number(m[1]),
    stddev: Number(m[2])
  }));
}
