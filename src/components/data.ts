/**
 * The site's data, read from the files `benchbook export` writes into
 * src/data/. Parquet is read with hyparquet (no CDN, no wasm): only the
 * columns a page asks for are decoded.
 */
import {FileAttachment} from "observablehq:stdlib";
import {parquetReadObjects} from "hyparquet";

/** One measured value (a row of results.parquet; docs/schema.md lists every column). */
export type ResultRow = Record<string, any> & {
  run_id: string;
  test: string;
  kind: string;
  n_depth: number | null;
  metric: string;
  unit: string;
  stat: string;
  value: number | null;
  stddev: number | null;
  line: number;
  source_sha256: string;
};

export interface RunSummary {
  id: string;
  source_sha256: string;
  file: string;
  line_start: number;
  line_end: number;
  tool: string;
  runtime: string | null;
  format: string;
  models: string[];
  hardware: string | null;
  backend: string | null;
  build: string | null;
  date: string;
  results: number;
  tags: Record<string, string>;
  command: string | null;
}

export interface SourceSummary {
  sha256: string;
  name: string;
  bytes: number;
  lines: number;
  imported_at: string;
  tags: Record<string, string>;
  runs: string[];
  blocks: {format: string; line_start: number; line_end: number; runs: number; results: number}[];
  /** Files stored beside the input: a runner's stderr and capture record, a hand-entered file's `writeup`. */
  attachments?: {role: string; sha256: string; raw: string}[];
}

/** JSON-text columns, parsed on read. */
const JSON_COLUMNS = new Set(["tags", "settings", "gpus", "notes", "extra", "settings_from_command", "varied_settings", "result_extra"]);

function normalize(row: Record<string, unknown>): ResultRow {
  for (const key in row) {
    const value = row[key];
    if (typeof value === "bigint") row[key] = Number(value);
    else if (JSON_COLUMNS.has(key) && typeof value === "string") row[key] = JSON.parse(value);
  }
  return row as ResultRow;
}

/** Result rows; `columns` limits decoding to what a page needs. */
export async function loadResults(columns?: string[]): Promise<ResultRow[]> {
  const file = await FileAttachment("../data/results.parquet").arrayBuffer();
  const rows = (await parquetReadObjects({file, columns})) as Record<string, unknown>[];
  return rows.map(normalize);
}

export async function loadRuns(): Promise<RunSummary[]> {
  return FileAttachment("../data/runs.json").json();
}

export async function loadSources(): Promise<SourceSummary[]> {
  return FileAttachment("../data/sources.json").json();
}

// Each FileAttachment names its method in the same expression: a bare one makes
// Framework infer a parser from the extension and fetch it from a CDN.
export const resultsCsvHref = (): string => FileAttachment("../data/results.csv").href;
export const resultsParquetHref = (): string => FileAttachment("../data/results.parquet").href;
