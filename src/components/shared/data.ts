/**
 * The site's data from src/data/, read with hyparquet over HTTP ranges: only the columns and row groups a page
 * asks for. results-classes.parquet holds one real row per class of a run's results, so a page of a million
 * rows chooses runs on a few thousand class rows, then reads only those runs (pageResults). A predicate on
 * values chooses runs by one row per class; `where` is tested again on every row read.
 */
import {FileAttachment} from "observablehq:stdlib";
import {html} from "htl";
import {parquetMetadataAsync, parquetReadObjects} from "hyparquet";
import type {AsyncBuffer, FileMetaData} from "hyparquet";
import {registerDomains} from "./chart.js";
import {applyFilters, fieldValue, type FilterField, type FilterState} from "./controls.js";

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
const JSON_COLUMNS = new Set([
  "tags",
  "settings",
  "gpus",
  "notes",
  "extra",
  "settings_from_command",
  "varied_settings",
  "result_extra"
]);

function normalize(row: Record<string, unknown>): ResultRow {
  for (const key in row) {
    const value = row[key];
    if (typeof value === "bigint") row[key] = Number(value);
    else if (JSON_COLUMNS.has(key) && typeof value === "string") row[key] = JSON.parse(value);
  }
  if (typeof row.model_label === "string") row.model_label = modelName(row.model_label, row.model);
  return row as ResultRow;
}

/**
 * A model's name for charts: a Hugging Face cache snapshot (`…/models--nvidia--Gemma-4-31B-IT-NVFP4/
 * snapshots/e5ef03…`, whose label is the bare commit hash) is named by its repository.
 */
export function modelName(label: string, model: unknown): string {
  if (!/^[0-9a-f]{40}$/.test(label) || typeof model !== "string") return label;
  return /models--([^/]+?)--([^/]+)\/snapshots\//.exec(model)?.[2] ?? label;
}

interface ParquetFile {
  file: AsyncBuffer;
  metadata: FileMetaData;
}

/** Bytes of a file's end fetched first: the Parquet footer (and the whole of a small file). */
const TAIL_BYTES = 512 * 1024;

/**
 * A file served over HTTP as hyparquet reads it: its size from a one-byte range request, its
 * last TAIL_BYTES in one range request, then ranges as asked. Ranges inside the file suit every
 * server: Framework's preview server (`npm run dev`) answers 416 to a suffix range longer than
 * the file, and Chromium reports a HEAD request as aborted. A server that ignores ranges answers
 * with the whole file, which is then kept and sliced.
 */
async function urlBuffer(href: string): Promise<AsyncBuffer> {
  const whole = (bytes: ArrayBuffer): AsyncBuffer => ({
    byteLength: bytes.byteLength,
    slice: (start, end) => bytes.slice(start, end)
  });
  let first = await fetch(href, {headers: {Range: "bytes=0-0"}});
  const known = first.status === 206 ? Number(/\/(\d+)\s*$/.exec(first.headers.get("content-range") ?? "")?.[1]) : NaN;
  if (first.status === 206 && Number.isInteger(known) && known > 1)
    first = await fetch(href, {headers: {Range: `bytes=${Math.max(0, known - TAIL_BYTES)}-${known - 1}`}});
  if (!first.ok) throw new Error(`${href}: HTTP ${first.status}`);
  const size = Number(/\/(\d+)\s*$/.exec(first.headers.get("content-range") ?? "")?.[1]);
  if (first.status !== 206 || !Number.isFinite(size)) return whole(await first.arrayBuffer());
  const tail = await first.arrayBuffer();
  const tailStart = size - tail.byteLength;
  let everything: Promise<ArrayBuffer> | null = null;
  return {
    byteLength: size,
    async slice(start, end = size) {
      if (start >= tailStart) return tail.slice(start - tailStart, end - tailStart);
      if (everything) return (await everything).slice(start, end);
      const response = await fetch(href, {headers: {Range: `bytes=${start}-${end - 1}`}});
      if (!response.ok) throw new Error(`${href}: HTTP ${response.status}`);
      if (response.status === 206) return response.arrayBuffer();
      everything = response.arrayBuffer();
      return (await everything).slice(start, end);
    }
  };
}

async function openParquet(href: string): Promise<ParquetFile> {
  const file = await urlBuffer(href);
  return {file, metadata: await parquetMetadataAsync(file)};
}

let resultsFile: Promise<ParquetFile> | null = null;
let classesFile: Promise<ParquetFile> | null = null;
let classRows: Promise<ResultRow[]> | null = null;
const openResults = () => (resultsFile ??= openParquet(FileAttachment("../../data/results.parquet").href));
const openClasses = () => (classesFile ??= openParquet(FileAttachment("../../data/results-classes.parquet").href));

/** A class row: a real result row plus how many rows its class has and where its run's rows are in results.parquet. */
export type ClassRow = ResultRow & {class_rows: number; run_row_start: number; run_rows: number};

/**
 * One real row per class of results (see the header), in results.parquet's
 * order; the last row of each class, so the last class row of a run is the
 * run's last row. `columns` limits decoding (class_rows, run_row_start and
 * run_rows are always there).
 */
export async function loadResultClasses(columns?: string[]): Promise<ClassRow[]> {
  await registerPalette();
  if (!columns) return (classRows ??= readClasses(undefined)) as Promise<ClassRow[]>;
  return readClasses([...new Set([...columns, "class_rows", "run_row_start", "run_rows"])]) as Promise<ClassRow[]>;
}

async function readClasses(columns: string[] | undefined): Promise<ResultRow[]> {
  const {file, metadata} = await openClasses();
  return ((await parquetReadObjects({file, metadata, columns})) as Record<string, unknown>[]).map(normalize);
}

let palette: Promise<void> | null = null;
/** The notebook's machines, runtimes, quantizations and builds, so each has one colour on every chart (shared/chart.ts). */
const registerPalette = () =>
  (palette ??= readClasses(["runtime", "hardware", "quant", "build_commit"]).then((rows) =>
    registerDomains({
      runtime: rows.map((r) => r.runtime),
      machine: rows.map((r) => r.hardware),
      quant: rows.map((r) => r.quant),
      build: rows.map((r) => r.build_commit)
    })
  ));

/** Row ranges [start, end) of results.parquet, sorted and merged. */
function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/**
 * Reads rows of results.parquet by position, for one list of columns. Each
 * row group is decoded once (neighbouring runs share row groups) and kept,
 * so a filter that selects more runs decodes only the groups it adds.
 */
class ResultReader {
  private readonly groups = new Map<number, Promise<Record<string, unknown>[]>>();
  private readonly normalized = new WeakSet<object>();
  constructor(private readonly columns: string[] | undefined) {}

  /** Rows in the given ranges [start, end), in file order. */
  async read(ranges: [number, number][]): Promise<ResultRow[]> {
    const {file, metadata} = await openResults();
    const wanted = mergeRanges(ranges);
    const bounds: [number, number][] = [];
    let start = 0;
    for (const group of metadata.row_groups) {
      bounds.push([start, start + Number(group.num_rows)]);
      start += Number(group.num_rows);
    }
    const needed = bounds.map((b, i) => i).filter((i) => wanted.some(([s, e]) => s < bounds[i][1] && e > bounds[i][0]));
    // Missing groups, read in runs of consecutive groups (one request each).
    for (let i = 0; i < needed.length;) {
      if (this.groups.has(needed[i])) {
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < needed.length && needed[j + 1] === needed[j] + 1 && !this.groups.has(needed[j + 1])) j++;
      const first = needed[i];
      const last = needed[j];
      const span = parquetReadObjects({
        file,
        metadata,
        columns: this.columns,
        rowStart: bounds[first][0],
        rowEnd: bounds[last][1]
      }) as Promise<Record<string, unknown>[]>;
      for (let g = first; g <= last; g++)
        this.groups.set(
          g,
          span.then((rows) => rows.slice(bounds[g][0] - bounds[first][0], bounds[g][1] - bounds[first][0]))
        );
      i = j + 1;
    }
    const decoded = new Map(await Promise.all(needed.map(async (g) => [g, await this.groups.get(g)!] as const)));
    const rows: ResultRow[] = [];
    let g = 0;
    for (const [from, to] of wanted) {
      for (let at = from; at < to; at++) {
        while (bounds[g][1] <= at) g++;
        const row = decoded.get(g)![at - bounds[g][0]];
        if (!this.normalized.has(row)) {
          normalize(row);
          this.normalized.add(row);
        }
        rows.push(row as ResultRow);
      }
    }
    return rows;
  }
}

const readers = new Map<string, ResultReader>();
function readerFor(columns: string[] | undefined): ResultReader {
  const key = JSON.stringify(columns ?? null);
  let reader = readers.get(key);
  if (!reader) readers.set(key, (reader = new ResultReader(columns)));
  return reader;
}

const readRanges = (columns: string[] | undefined, ranges: [number, number][]) => readerFor(columns).read(ranges);

/** The row ranges of the runs some class rows belong to. */
const runRanges = (classes: ClassRow[]): [number, number][] => [
  ...new Map(
    classes.map((c) => [c.run_row_start, [c.run_row_start, c.run_row_start + c.run_rows] as [number, number]])
  ).values()
];

/**
 * Result rows, in results.parquet's order; `columns` limits decoding to what
 * a page needs. With `runs`, only the rows of the runs with a class row that
 * passes it are read (see the header for what a class row can answer).
 */
export async function loadResults(
  columns?: string[],
  {runs}: {runs?: (row: ClassRow) => boolean} = {}
): Promise<ResultRow[]> {
  await registerPalette();
  if (!runs) {
    const {file, metadata} = await openResults();
    return ((await parquetReadObjects({file, metadata, columns})) as Record<string, unknown>[]).map(normalize);
  }
  return readRanges(columns, runRanges((await loadResultClasses()).filter(runs)));
}

/** What pageResults gives a page. */
export interface PageResults<T extends ResultRow = ResultRow> {
  /** Rows for the filters to offer values from: every row the page uses (small), or one row per class (large). */
  rows: T[];
  /** The filter fields: the page's own, and in a large store the input file, to narrow further. */
  fields: FilterField[];
  /** Whether `rows` holds every row the page uses. */
  complete: boolean;
  /** How many rows the page uses in all. */
  total: number;
  /** On a large page, what it opened with and why; empty otherwise. */
  note: HTMLElement;
  /** The rows of the runs the filters select (`where` applied, `map` too); every row of a small page. Apply the filters to them as before. */
  load(filters: FilterState): Promise<T[]>;
}

export interface PageResultsOptions<T extends ResultRow> {
  /** Which rows the page uses (tested on class rows to choose runs, then on every row read). */
  where?: (row: ResultRow) => boolean;
  /** Derived columns (e.g. model_family), added to rows and class rows alike. */
  map?: (row: ResultRow) => T;
  /** The page's filters, in the order a default selection narrows them. */
  fields: FilterField[];
  /** Rows a page reads and draws at once (default 5,000): more, and it reads what its filters select. */
  limit?: number;
}

/** A store of at most this many rows is read whole by every page, as it always was. */
export const SMALL_STORE_ROWS = 50_000;

/** The input file field a large page adds after its own. */
const FILE_FIELD: FilterField = {key: "file", label: "Input file"};

const count = (classes: ClassRow[]) => classes.reduce((n, c) => n + c.class_rows, 0);

/**
 * A filtered page's results at any store size (see the header). Small (a
 * store of at most SMALL_STORE_ROWS rows, or a page using at most `limit` of
 * them): `rows` holds every row the page uses and `load` returns them —
 * what loading every row and filtering always gave. Large:
 * `rows` holds the class rows, `load(filters)` reads the selected runs; with
 * no filter in the URL the page opens with the first value of each of its
 * fields, in order, until at most `limit` rows are selected (then input
 * files), written into the URL and said in `note`.
 */
export async function pageResults<T extends ResultRow = ResultRow>(
  columns: string[],
  {where = () => true, map = (r) => r as T, fields, limit = 5_000}: PageResultsOptions<T>
): Promise<PageResults<T>> {
  // The results file's footer is needed in every case: fetch it while the classes come.
  void openResults();
  const all = await loadResultClasses([...columns, FILE_FIELD.key]);
  const none = html`<span></span>` as HTMLElement;
  if (count(all) <= SMALL_STORE_ROWS) {
    // A small store: every row, as loadResults() and a filter always gave.
    const rows = (await loadResults(columns)).filter(where).map(map);
    return {rows, fields, complete: true, total: rows.length, note: none, load: async () => rows};
  }
  const classes = all.filter(where);
  const total = count(classes);
  if (total <= limit) {
    const rows = (await readRanges(columns, runRanges(classes))).filter(where).map(map);
    return {rows, fields, complete: true, total: rows.length, note: none, load: async () => rows};
  }
  const options = classes.map(
    (c) => ({...map(c), class_rows: c.class_rows, run_row_start: c.run_row_start, run_rows: c.run_rows}) as T & ClassRow
  );
  const allFields = [...fields, FILE_FIELD];
  const opened = openingSelection(options, allFields, limit);
  // The rows read carry the input file too, so the page's applyFilters can test it.
  const read = columns.includes(FILE_FIELD.key) ? columns : [...columns, FILE_FIELD.key];
  const load = async (filters: FilterState): Promise<T[]> =>
    (await readRanges(read, runRanges(applyFilters(options, filters)))).filter(where).map(map);
  return {rows: options, fields: allFields, complete: false, total, note: opened, load};
}

/** The filter state in the URL for some fields (as url-filters.ts reads it), or null when it sets none of them. */
function urlState(fields: FilterField[]): FilterState | null {
  const params = new URLSearchParams(location.search);
  const state: FilterState = {};
  for (const {key} of fields) if (params.has(key)) state[key] = params.getAll(key);
  return Object.keys(state).length ? state : null;
}

/**
 * With no filter in the URL, a large page opens with the first value (in
 * the filters' own order) of each field in turn while more than `limit` rows
 * are selected, then with as many input files (in order) as fit; the choice
 * goes into the URL, where the filters read it. Returns the note that says
 * so (or what the URL selects).
 */
function openingSelection(options: ClassRow[], fields: FilterField[], limit: number): HTMLElement {
  const total = count(options);
  const number = (n: number) => n.toLocaleString("en-US");
  if (urlState(fields)) {
    return html`<p class="bb-note bb-scale-note">This notebook holds ${number(total)} results for this page, more than it draws at once (${number(limit)}): it reads the runs the filters select, ${number(count(applyFilters(options, urlState(fields)!)))} results now.</p>` as HTMLElement;
  }
  const state: FilterState = {};
  const chosen: string[] = [];
  for (const field of fields) {
    const selected = applyFilters(options, state);
    if (count(selected) <= limit) break;
    const values = [...new Set(selected.map((r) => fieldValue(r, field.key)))].sort();
    if (values.length < 2) continue;
    if (field.key === FILE_FIELD.key) {
      // As many input files as fit (at least one).
      const files: string[] = [];
      let n = 0;
      for (const file of values) {
        const more = count(selected.filter((r) => fieldValue(r, field.key) === file));
        if (files.length && n + more > limit) break;
        files.push(file);
        n += more;
      }
      state[field.key] = files;
      chosen.push(`${field.label}: ${files.length === 1 ? files[0] : `the first ${files.length} of ${values.length}`}`);
    } else {
      state[field.key] = [values[0]];
      chosen.push(`${field.label}: ${values[0]}`);
    }
  }
  if (!chosen.length) {
    return html`<p class="bb-note bb-scale-note">This notebook holds ${number(total)} results for this page, more than it draws at once (${number(limit)}), and its filters cannot narrow them; drawing every one.</p>` as HTMLElement;
  }
  const params = new URLSearchParams(location.search);
  for (const [key, values] of Object.entries(state)) for (const value of values) params.append(key, value);
  history.replaceState(history.state, "", `${location.pathname}?${params}${location.hash}`);
  return html`<p class="bb-note bb-scale-note">This notebook holds ${number(total)} results for this page, more than it draws at once (${number(limit)}), so it opened with ${chosen.join("; ")} — ${number(count(applyFilters(options, state)))} results. Choose more above: the page reads the runs the filters select.</p>` as HTMLElement;
}

export async function loadRuns(): Promise<RunSummary[]> {
  return FileAttachment("../../data/runs.json").json();
}

export async function loadSources(): Promise<SourceSummary[]> {
  return FileAttachment("../../data/sources.json").json();
}

// Each FileAttachment names its method in the same expression: a bare one makes
// Framework infer a parser from the extension and fetch it from a CDN.
export const resultsCsvHref = (): string => FileAttachment("../../data/results.csv").href;
export const resultsParquetHref = (): string => FileAttachment("../../data/results.parquet").href;
