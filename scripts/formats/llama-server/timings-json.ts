/**
 * The `timings` object llama-server adds to a completion response, wherever it is (a response, an SSE stream's
 * last chunk, JSON Lines, a post). One request each; with `timings_per_token` only the final chunk counts.
 * Numbers are read from the JSON text as printed.
 */
import type {Model, Result, Settings} from "../../schema/schema.js";
import {emptyModel} from "../../schema/schema.js";
import type {RowWithFacts} from "../shared/hoist.js";
import {hoist} from "../shared/hoist.js";
import {closingOf, lineOf, spanOf, type TextSpan} from "../shared/json-text.js";
import {applyServerContext} from "../serving/server-context.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";

const MAX_LINES = 5000;
const START = /^\s*(?:data:\s*)?([{[])/;
const FRAGMENT = /^\s*"timings"\s*:\s*\{/;

type Json = Record<string, unknown>;

interface Located {
  start: number;
  end: number;
  value: unknown;
  span: TextSpan;
  /** Offset of the JSON value in span.text. */
  open: number;
  /** Whether the lines are a bare `"timings": {…}` fragment. */
  fragment: boolean;
}

function isTimings(o: unknown): o is Json {
  if (!o || typeof o !== "object" || Array.isArray(o)) return false;
  const k = o as Json;
  return (
    (typeof k.prompt_n === "number" && typeof k.prompt_per_second === "number") ||
    (typeof k.predicted_n === "number" && typeof k.predicted_per_second === "number")
  );
}

/** Timings objects in a parsed value, with the top-level object each sits in. */
function timingsIn(value: unknown): {timings: Json; response: Json | null}[] {
  const out: {timings: Json; response: Json | null}[] = [];
  const walk = (v: unknown, response: Json | null) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, response));
    else if (v && typeof v === "object") {
      if (isTimings(v)) out.push({timings: v as Json, response});
      else for (const child of Object.values(v as Json)) walk(child, response ?? (v as Json));
    }
  };
  walk(value, null);
  return out;
}

/** The JSON value that opens on line `i`, if it parses; searches at most MAX_LINES ahead. */
function locate(doc: Doc, i: number): Located | null {
  const text = doc.lines[i].text;
  const fragment = FRAGMENT.test(text);
  const m = fragment ? null : START.exec(text);
  if (!m && !fragment) return null;
  // Try the line alone first: SSE chunks and JSON Lines close on their own line.
  for (const last of [i, Math.min(doc.lines.length - 1, i + MAX_LINES)]) {
    const span = spanOf(doc, i, last);
    const open = fragment ? span.text.indexOf("{") : span.text.indexOf(m![1]);
    const close = closingOf(span.text, open);
    if (close < 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(span.text.slice(open, close));
    } catch {
      return null;
    }
    const end = i + (span.text.slice(0, close).match(/\n/g)?.length ?? 0);
    return {start: i, end, value: fragment ? {timings: value} : value, span: spanOf(doc, i, end), open, fragment};
  }
  return null;
}

/** Whether a response chunk is a stream's running (not final) state. */
function isPartialChunk(response: Json | null): boolean {
  if (!response) return false;
  if (response.stop === false) return true;
  const choices = response.choices;
  return (
    Array.isArray(choices) &&
    choices.length > 0 &&
    choices.every((c) => c && typeof c === "object" && (c as Json).finish_reason === null)
  );
}

/** Lines that may sit between the chunks of one stream or the records of one JSON Lines file. */
const BETWEEN = /^\s*(?:$|data:\s*\[DONE\]|event:|id:|retry:|:)/;

function scan(doc: Doc): Block[] {
  const blocks: Block[] = [];
  let open: Block | null = null;
  const close = () => {
    if (open) blocks.push(open);
    open = null;
  };
  for (let i = 0; i < doc.lines.length; i++) {
    const located = locate(doc, i);
    if (!located) {
      if (!BETWEEN.test(doc.lines[i].text)) close();
      continue;
    }
    const final = timingsIn(located.value).filter((t) => !isPartialChunk(t.response));
    if (final.length) {
      if (open) (open as Block).end = located.end;
      else
        open = {
          format: "llama-server-timings-json",
          start: located.start,
          end: located.end,
          confidence: 0.9,
          reason: `llama-server "timings" JSON (prompt_n, prompt_per_second, predicted_n, predicted_per_second)`
        };
    } else if (!/^\s*data:/.test(doc.lines[i].text)) close(); // other JSON ends a run; a stream's running chunks do not
    i = located.end;
  }
  close();
  return blocks;
}

const KNOWN = new Set([
  "prompt_n",
  "prompt_ms",
  "prompt_per_token_ms",
  "prompt_per_second",
  "predicted_n",
  "predicted_ms",
  "predicted_per_token_ms",
  "predicted_per_second",
  "draft_n",
  "draft_n_accepted",
  "drafted_n",
  "drafted_accepted_n",
  "drafted_accepted_p"
]);

/** Where each timings object of a located value sits in its span text. */
function timingsRanges(loc: Located): {from: number; to: number}[] {
  const ranges: {from: number; to: number}[] = [];
  const text = loc.span.text;
  const re = /"timings"\s*:\s*\{/g;
  for (const m of text.matchAll(re)) {
    const from = m.index! + m[0].length - 1;
    ranges.push({from, to: closingOf(text, from)});
  }
  if (ranges.length === 0) ranges.push({from: loc.open, to: closingOf(text, loc.open)}); // a bare timings object
  return ranges;
}

/** A number as printed under `"key":` inside text[from, to), with its line. */
function printed(
  doc: Doc,
  loc: Located,
  from: number,
  to: number,
  key: string
): {text: string; value: number; line: number} | null {
  const slice = loc.span.text.slice(from, to);
  const m = new RegExp(`"${key}"\\s*:\\s*(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)`).exec(slice);
  if (!m) return null;
  return {text: m[0], value: Number(m[1]), line: lineOf(doc, loc.span, from + m.index)};
}

function requestRows(
  doc: Doc,
  loc: Located,
  range: {from: number; to: number},
  timings: Json,
  response: Json | null,
  request: number
): RowWithFacts[] {
  const extra: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(timings)) if (!KNOWN.has(key)) extra[key] = v;
  const n_prompt = typeof timings.prompt_n === "number" ? timings.prompt_n : null;
  const n_gen = typeof timings.predicted_n === "number" ? timings.predicted_n : null;
  const model: Model = emptyModel();
  const settings: Settings = {};
  if (response && typeof response.model === "string") {
    if (/\.gguf$/i.test(response.model) || /[\\/]/.test(response.model)) model.file = response.model;
    else model.name = response.model;
  }
  const gen = response?.generation_settings;
  if (gen && typeof gen === "object") {
    for (const [key, v] of Object.entries(gen as Json))
      if (v === null || ["string", "number", "boolean"].includes(typeof v))
        settings[key] = v as string | number | boolean | null;
  }
  const rows: RowWithFacts[] = [];
  const add = (key: string, kind: string, metric: string, unit: string, stat = "value") => {
    const p = printed(doc, loc, range.from, range.to, key);
    if (!p) return;
    const result: Result = {
      line: p.line,
      text: p.text,
      test: key,
      kind,
      n_prompt: kind === "pp" ? n_prompt : null,
      n_gen: kind === "tg" ? n_gen : null,
      n_depth: null,
      scope: "request",
      request,
      metric,
      unit,
      stat,
      value: p.value,
      stddev: null,
      stddev_kind: null,
      repetitions: null,
      status: "ok",
      ...(Object.keys(extra).length ? {extra: {...extra}} : {})
    };
    rows.push({result, model: {...model}, settings: {...settings}});
  };
  add("prompt_ms", "pp", "duration", "ms");
  add("prompt_per_token_ms", "pp", "time_per_token", "ms");
  add("prompt_per_second", "pp", "throughput", "tok/s");
  add("predicted_ms", "tg", "duration", "ms");
  add("predicted_per_token_ms", "tg", "time_per_token", "ms");
  add("predicted_per_second", "tg", "throughput", "tok/s");
  add("draft_n", "tg", "drafted_tokens", "tokens", "total");
  add("draft_n_accepted", "tg", "accepted_tokens", "tokens", "total");
  add("drafted_n", "tg", "drafted_tokens", "tokens", "total");
  add("drafted_accepted_n", "tg", "accepted_tokens", "tokens", "total");
  add("drafted_accepted_p", "tg", "acceptance_rate", "ratio");
  return rows;
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const rows: RowWithFacts[] = [];
  let build: {number: number; commit: string} | null = null;
  for (let i = block.start; i <= block.end; i++) {
    const loc = locate(doc, i);
    if (!loc) continue;
    const all = timingsIn(loc.value);
    const ranges = timingsRanges(loc);
    all.forEach((t, k) => {
      if (isPartialChunk(t.response)) return;
      const fingerprint = t.response?.system_fingerprint;
      const fp = typeof fingerprint === "string" ? /^b(\d+)-([0-9a-f]{6,40})$/.exec(fingerprint) : null;
      if (fp && !build) build = {number: Number(fp[1]), commit: fp[2]};
      rows.push(
        ...requestRows(
          doc,
          loc,
          ranges[k] ?? ranges[0],
          t.timings,
          t.response,
          new Set(rows.map((r) => r.result.request)).size
        )
      );
    });
    i = loc.end;
  }
  if (rows.length === 0)
    throw new ParseError(
      doc.lines[block.start].line,
      `a llama-server "timings" object with prompt_n/predicted_n and their per-second rates`,
      doc.lines[block.start].text
    );
  const {model, settings, results} = hoist(rows);
  const b = build as {number: number; commit: string} | null;
  const run: ParsedRun = {
    tool: "llama-server",
    tool_version: null,
    runtime: "llama.cpp",
    build_commit: b?.commit ?? null,
    build_number: b?.number ?? null,
    format: "llama-server-timings-json",
    started_at: null,
    command: null,
    hardware: {gpus: [], gpu_info: null, vram_total_mib: null, backend: null, cpu: null, stated: null},
    model,
    settings,
    settings_from_command: [],
    notes: [],
    extra: {},
    results,
    line_start: doc.lines[block.start].line,
    line_end: doc.lines[block.end].line
  };
  applyServerContext(run, context, "llama.cpp", {deviceLines: true});
  return [run];
}

export const llamaServerTimingsJson: Format = {
  id: "llama-server-timings-json",
  tool: "llama-server",
  description:
    'llama-server completion responses\' "timings" object (whole responses, SSE streams, JSON Lines, or the object alone)',
  scan,
  parse
};
