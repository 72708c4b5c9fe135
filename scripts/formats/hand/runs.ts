/**
 * Validated observations → runs. Shared by the YAML and CSV readers, which
 * differ only in how a path (`entries.3.value`) maps to a line and to the
 * text written there (the Locator).
 */
import type {z} from "zod";
import type {Gpu, Hardware, Model, Result, Scalar, Settings, Status} from "../../schema/schema.js";
import {emptyHardware, emptyModel} from "../../schema/schema.js";
import type {RowWithFacts} from "../shared/hoist.js";
import {hoist} from "../shared/hoist.js";
import {quantFromFile} from "../shared/model-name.js";
import type {Context, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import type {Entry, Lines, Observations} from "./schema.js";
import {observationsSchema} from "./schema.js";

export type Path = (string | number)[];

export interface Locator {
  /** 1-based physical line of the value at path, or of its nearest ancestor that exists. */
  line(path: Path): number;
  /** The value at path as written (a YAML scalar's source, a CSV cell), if it is a scalar. */
  text(path: Path): string | null;
  /** First and last physical line of the node at path. */
  range(path: Path): [number, number];
}

/** Validate against the schema; the first problem (by line) becomes a ParseError on its line. */
export function validateObservations(raw: unknown, locate: Locator): Observations {
  const parsed = observationsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  // A misspelt key explains the "missing value" that follows from it: report it first.
  const problems = parsed.error.issues
    .map((issue) => ({...describe(issue, locate), typo: issue.code === "unrecognized_keys" ? 0 : 1}))
    .sort((a, b) => a.typo - b.typo || a.line - b.line);
  const [first] = problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})` : "";
  throw new ParseError(first.line, `${first.expected}${more}`, first.found);
}

function describe(issue: z.core.$ZodIssue, locate: Locator): {line: number; expected: string; found?: string} {
  const path = issue.path as Path;
  const where = path.length ? `${path.join(".")}: ` : "";
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0];
    return {
      line: locate.line([...path, key]),
      expected: `${where}a known key (docs/hand-entered.md lists them; free-form values go under extra or notes)`,
      found: issue.keys.join(", ")
    };
  }
  const found = locate.text(path);
  return {line: locate.line(path), expected: `${where}${issue.message}`, ...(found !== null ? {found} : {})};
}

const lineText = (lines: Lines | undefined): string | number | null =>
  lines === undefined ? null : Array.isArray(lines) ? `${lines[0]}-${lines[1]}` : lines;
const noteList = (notes: string | string[] | undefined): string[] =>
  notes === undefined ? [] : Array.isArray(notes) ? notes : [notes];

interface Group {
  label: string | null;
  path: Path;
  entries: Entry[];
  runtime?: string;
  runtime_version?: string;
  hardware?: Observations["hardware"];
  model?: Observations["model"];
  settings?: Settings;
  command?: string;
  notes?: string | string[];
  lines?: Lines;
  extra?: Record<string, unknown>;
}

function hardwareOf(stated: Observations["hardware"] | undefined, context: Context): Hardware {
  if (!stated) return context.hardware;
  const gpus: Gpu[] = (stated.gpus ?? []).map((g) => ({
    index: g.index ?? null,
    name: g.name,
    vram_mib: g.vram_mib ?? null,
    compute_capability: g.compute_capability ?? null,
    ...(g.extra ? {extra: g.extra} : {})
  }));
  return {
    ...emptyHardware(),
    gpus,
    stated: stated.stated ?? null,
    cpu: stated.cpu ?? null,
    backend: stated.backend ?? null,
    vram_total_mib: stated.vram_total_mib ?? null
  };
}

function modelOf(...parts: (Observations["model"] | undefined)[]): Model {
  const model: Model = {...emptyModel()};
  for (const part of parts) Object.assign(model, part);
  model.quant ??= quantFromFile(model.file);
  return model;
}

/** The results one entry stands for: one value, two ends of a range, or one failed configuration. */
function entryResults(entry: Entry, path: Path, locate: Locator): Result[] {
  const status: Status = entry.status ?? "ok";
  const extra: Record<string, unknown> = {};
  if (entry.approximate) extra.approximate = true;
  if (entry.line !== undefined) extra.source_line = lineText(entry.line);
  if (entry.gpu !== undefined) extra.gpu = entry.gpu;
  if (entry.label !== undefined) extra.label = entry.label;
  if (entry.notes !== undefined) extra.notes = noteList(entry.notes);
  Object.assign(extra, entry.extra);
  const base = {
    test: entry.test ?? entry.label ?? entry.metric,
    kind: entry.kind ?? "other",
    n_prompt: entry.n_prompt ?? null,
    n_gen: entry.n_gen ?? null,
    n_depth: entry.n_depth ?? null,
    ...(entry.concurrency !== undefined ? {concurrency: entry.concurrency} : {}),
    ...(entry.scope !== undefined ? {scope: entry.scope} : {}),
    metric: entry.metric,
    unit: entry.unit ?? "",
    stddev: null,
    stddev_kind: null,
    repetitions: null,
    status
  };
  const textOf = (key: string) => entry.text ?? locate.text([...path, key]);
  if (status !== "ok") {
    return [
      {
        line: locate.line([...path, "status"]),
        text: entry.text ?? null,
        ...base,
        stat: entry.stat ?? "value",
        value: null,
        status_detail: entry.detail ?? null,
        extra
      }
    ];
  }
  if (entry.low !== undefined && entry.high !== undefined) {
    const band = {...extra, range_of: entry.stat ?? "typical"};
    return [
      {
        line: locate.line([...path, "low"]),
        text: textOf("low"),
        ...base,
        stat: "range_low",
        value: entry.low,
        extra: band
      },
      {
        line: locate.line([...path, "high"]),
        text: textOf("high"),
        ...base,
        stat: "range_high",
        value: entry.high,
        extra: {...band}
      }
    ];
  }
  return [
    {
      line: locate.line([...path, "value"]),
      text: textOf("value"),
      ...base,
      stat: entry.stat ?? "value",
      value: entry.value ?? null,
      ...(entry.detail ? {status_detail: entry.detail} : {}),
      extra
    }
  ];
}

/** One run per group of entries: the top-level `entries`, and each of `runs`. */
export function observationRuns(
  observations: Observations,
  locate: Locator,
  format: string,
  context: Context,
  block: {line_start: number; line_end: number}
): ParsedRun[] {
  const groups: Group[] = [];
  if (observations.entries?.length) groups.push({label: null, path: [], entries: observations.entries});
  observations.runs?.forEach((run, i) => groups.push({...run, path: ["runs", i]}));
  return groups.map((group) => {
    const rows: RowWithFacts[] = group.entries.flatMap((entry, i) => {
      const path = [...group.path, "entries", i];
      const model = modelOf(observations.model, group.model, entry.model);
      const settings: Settings = {...observations.settings, ...group.settings, ...entry.settings};
      return entryResults(entry, path, locate).map((result) => ({result, model: {...model}, settings: {...settings}}));
    });
    const {model, settings, results} = hoist(rows);
    const [line_start, line_end] = group.path.length ? locate.range(group.path) : [block.line_start, block.line_end];
    const sourceLines = lineText(group.lines ?? observations.lines ?? observations.source.lines);
    const extra: Record<string, unknown> = {
      ...observations.extra,
      ...(group.path.length ? group.extra : {}),
      source: observations.source
    };
    if (observations.entered_by) extra.entered_by = observations.entered_by;
    if (observations.entered_at) extra.entered_at = observations.entered_at;
    if (group.label) extra.label = group.label;
    const runtimeVersion = group.runtime_version ?? (group.runtime ? undefined : observations.runtime_version);
    if (runtimeVersion) extra.runtime_version = runtimeVersion;
    if (sourceLines !== null) extra.source_lines = sourceLines;
    // Resolved and checked by the importer (scripts/document/writeup.ts), which adds its sha256.
    if (observations.writeup !== undefined)
      extra.writeup = {path: observations.writeup, line: locate.line(["writeup"])};
    return {
      tool: "hand-entered",
      tool_version: null,
      runtime: group.runtime ?? observations.runtime ?? context.runtime,
      build_commit: null,
      build_number: null,
      format,
      origin: "hand-entered" as const,
      started_at: null,
      command: group.command ?? observations.command ?? null,
      hardware: hardwareOf(group.hardware ?? observations.hardware, context),
      model,
      settings: settings as Record<string, Scalar>,
      settings_from_command: [],
      notes: [...noteList(observations.notes), ...(group.path.length ? noteList(group.notes) : [])],
      extra,
      results,
      line_start,
      line_end
    };
  });
}
