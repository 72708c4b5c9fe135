/**
 * Per-record truth: a field that differs between records is never replaced
 * by a run-level value. Every result read from a record-per-line (or
 * record-per-object) format, in every fixture, is checked against what its
 * own raw record says. The oracle re-reads the record from the raw text
 * (JSON.parse of its line or object, d3-dsv for CSV rows, the INSERT's
 * quoted values for SQL, the table's own header for Markdown), not through
 * the parsers. Appended outputs of two builds (`-o jsonl >> all.jsonl`) are
 * made from real captured files and checked the same way.
 */
import assert from "node:assert/strict";
import {readdirSync, readFileSync, statSync} from "node:fs";
import {join, relative} from "node:path";
import {describe, it} from "node:test";
import {csvParseRows} from "d3-dsv";
import type {Model, Result, Run, Scalar} from "../../scripts/schema/schema.js";
import {FIXTURES, fixtureText, read} from "../helpers/fixtures.js";

type Raw = Record<string, unknown>;

const lineAt = (lines: string[], line: number) => lines[line - 1] ?? "";

/** A JSON object on one line (JSONL formats), or null. */
function jsonLine(text: string): Raw | null {
  const t = text.trim();
  if (!t.startsWith("{") || !t.endsWith("}")) return null;
  try {
    return JSON.parse(t) as Raw;
  } catch {
    return null; // e.g. Python's `Infinity`: not checked here
  }
}

/** The pretty-printed object around `line` (llama-bench -o json: `  {` … `  }`). */
function jsonObjectAround(lines: string[], line: number): Raw | null {
  let start = line - 1;
  while (start >= 0 && lines[start].trim() !== "{") start--;
  let end = line - 1;
  while (end < lines.length && !/^\s*\},?\s*$/.test(lines[end])) end++;
  if (start < 0 || end >= lines.length) return null;
  return JSON.parse(
    lines
      .slice(start, end + 1)
      .join("\n")
      .replace(/,\s*$/, "")
  ) as Raw;
}

/**
 * The names a record's values belong to: late-2023 llama-bench printed an
 * `opencl` value after `cuda` that its header and INSERT column list omit
 * (llama-bench.cpp get_fields of the time: cuda, opencl, metal, gpu_blas, blas).
 */
function namesFor(names: string[], count: number): string[] {
  const i = names.indexOf("cuda");
  return count === names.length + 1 && i >= 0 && !names.includes("opencl")
    ? [...names.slice(0, i + 1), "opencl", ...names.slice(i + 1)]
    : names;
}

/** The CSV row at `line` under the nearest header above it. */
function csvRow(lines: string[], line: number): Raw | null {
  let h = line - 2;
  while (h >= 0 && !(lines[h].includes("avg_ts") && !lines[h].trimStart().startsWith('"'))) h--;
  if (h < 0) return null;
  const [header] = csvParseRows(lines[h].trim());
  const [cells] = csvParseRows(lineAt(lines, line).trim());
  return Object.fromEntries(namesFor(header, cells.length).map((k, i) => [k, cells[i]]));
}

/** The INSERT at `line`: its own column list, or the CREATE TABLE's above it. */
function sqlRow(lines: string[], line: number): Raw | null {
  const text = lineAt(lines, line);
  const m = /^INSERT INTO \w+ \(([^)]*)\) VALUES \((.*)\);\s*$/.exec(text);
  if (!m) return null;
  const columns = m[1].split(",").map((c) => c.trim());
  const values = [...m[2].matchAll(/'((?:[^']|'')*)'|(NULL)|(-?[\d.eE+-]+)/g)].map((v) =>
    v[2] ? null : (v[1] ?? v[3]).replace(/''/g, "'")
  );
  return Object.fromEntries(namesFor(columns, values.length).map((c, i) => [c, values[i]]));
}

/** llama-bench Markdown: the row's cells under its table's header (short column names). */
const MD_NAMES: Record<string, string> = {
  model: "model_type",
  test: "test",
  ngl: "n_gpu_layers",
  threads: "n_threads",
  n_ubatch: "n_ubatch",
  n_batch: "n_batch",
  type_k: "type_k",
  type_v: "type_v",
  fa: "flash_attn"
};
function mdRow(lines: string[], line: number): Raw | null {
  const cells = (t: string) =>
    t
      .trim()
      .replace(/^\||\|$/g, "")
      .split("|")
      .map((c) => c.trim());
  let h = line - 2;
  while (h >= 0 && !/^\s*\|\s*model\s*\|/.test(lines[h])) h--;
  if (h < 0) return null;
  const header = cells(lines[h]);
  const row = cells(lineAt(lines, line));
  if (row.length !== header.length) return null;
  const raw: Raw = {};
  header.forEach((name, i) => {
    if (MD_NAMES[name]) raw[MD_NAMES[name]] = row[i];
  });
  return raw;
}

const same = (a: unknown, b: unknown) =>
  a !== undefined && a !== null && b !== undefined && b !== null && String(a) === String(b);
const given = (v: unknown) => v !== undefined && v !== null && v !== "";

/** The raw record of a result, by the run's format; null where the format has no per-record line. */
function rawRecord(run: Run, result: Result, lines: string[]): Raw | null {
  switch (run.format) {
    case "llama-bench-json":
      return jsonObjectAround(lines, result.line);
    case "llama-bench-csv":
      return csvRow(lines, result.line);
    case "llama-bench-sql":
      return sqlRow(lines, result.line);
    case "llama-bench-md":
      return mdRow(lines, result.line);
    default:
      return jsonLine(lineAt(lines, result.line));
  }
}

/** Every disagreement between a result (with its run) and its raw record. */
function disagreements(run: Run, result: Result, raw: Raw): string[] {
  const model: Model = {...run.model, ...result.model};
  const settings: Record<string, Scalar> = {...run.settings, ...result.settings};
  const checks: [string, unknown, unknown][] = [
    ["build_commit", raw.build_commit, run.build_commit],
    ["build_number", raw.build_number, run.build_number],
    ["model_type", raw.model_type, model.name],
    ["model_filename", raw.model_filename, model.file],
    ["model_size", raw.model_size, model.size_bytes],
    ["model_n_params", raw.model_n_params, model.n_params],
    ["cpu_info", raw.cpu_info, run.hardware.cpu],
    ["gpu_info", raw.gpu_info, run.hardware.gpu_info],
    ["backends", raw.backends, run.hardware.backend],
    ["test_time", raw.test_time, result.time]
  ];
  // A llama-bench record is one test; other tools' records (an endpoint test) may give a pp and a tg result.
  if (run.tool === "llama-bench")
    checks.push(
      ["n_prompt", raw.n_prompt, result.n_prompt],
      ["n_gen", raw.n_gen, result.n_gen],
      ["n_depth", raw.n_depth, result.n_depth]
    );
  if (run.format === "llama-bench-md") checks.push(["test", raw.test, result.test_printed ?? result.test]);
  const out: string[] = [];
  for (const [field, printed, read] of checks)
    if (given(printed) && !same(printed, read))
      out.push(`${field}: the record says ${JSON.stringify(printed)}, the result has ${JSON.stringify(read)}`);
  // Every record field the run keeps as a setting holds this record's value.
  for (const [key, printed] of Object.entries(raw)) {
    if (!(key in settings) || typeof printed === "object" || !given(printed)) continue;
    if (
      !same(printed, settings[key]) &&
      !(
        run.format === "llama-bench-md" &&
        same(printed, settings[key] === true ? 1 : settings[key] === false ? 0 : settings[key])
      )
    ) {
      out.push(
        `setting ${key}: the record says ${JSON.stringify(printed)}, the result has ${JSON.stringify(settings[key])}`
      );
    }
  }
  return out;
}

interface Checked {
  records: number;
  byFormat: Map<string, number>;
  problems: string[];
}

function check(name: string, text: string, into: Checked): void {
  let runs: Run[];
  try {
    runs = read(text, name).stored.runs;
  } catch {
    return; // inputs that are rejected are tested by their own format's tests
  }
  const lines = text.split(/\r?\n/);
  for (const run of runs) {
    for (const result of run.results) {
      if (!result.line) continue;
      const raw = rawRecord(run, result, lines);
      if (!raw) continue;
      into.records++;
      into.byFormat.set(run.format, (into.byFormat.get(run.format) ?? 0) + 1);
      for (const problem of disagreements(run, result, raw))
        into.problems.push(`${name}:${result.line} (${run.format}, ${result.metric}) ${problem}`);
    }
  }
}

function fixtureFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? fixtureFiles(path) : [path];
  });
}

/** A real output appended to itself as another build, machine and model would print it. */
function appendedBuild(text: string): string {
  const other = text
    .replace(/(de3ff81["']?,\s*["']?|"build_number": ?|build: de3ff81 \()1\b/g, "$19999")
    .replace(/\bde3ff81\b/g, "0a1b2c3")
    .replace(/AMD EPYC/g, "Intel Xeon")
    .replace(/tiny\.gguf/g, "other.gguf");
  return text.endsWith("\n") ? text + other : `${text}\n${other}`;
}

describe("per-record truth: every result carries its own record's build, model, machine, settings and time", () => {
  it("over every fixture of every format", () => {
    const checked: Checked = {records: 0, byFormat: new Map(), problems: []};
    for (const path of fixtureFiles(FIXTURES)) {
      const bytes = readFileSync(path);
      if (bytes.includes(0)) continue; // binary (GGUF, images)
      check(relative(FIXTURES, path), bytes.toString("utf8"), checked);
    }
    assert.deepEqual(checked.problems, []);
    // The oracle must have seen every record-per-line format of llama-bench (and more).
    for (const format of [
      "llama-bench-json",
      "llama-bench-jsonl",
      "llama-bench-csv",
      "llama-bench-sql",
      "llama-bench-md",
      "llama-batched-bench-jsonl"
    ]) {
      assert.ok((checked.byFormat.get(format) ?? 0) > 0, `no ${format} record was checked`);
    }
    assert.ok(checked.records > 100, `only ${checked.records} records checked`);
  });

  for (const format of ["json", "jsonl", "csv", "sql", "md"]) {
    it(`llama-bench-${format} appended twice (two builds, machines, models): two runs, each record its own`, () => {
      const text = appendedBuild(fixtureText(`captured/cpu/llama-bench-${format}.stdout`));
      const checked: Checked = {records: 0, byFormat: new Map(), problems: []};
      check(`all.${format}`, text, checked);
      assert.deepEqual(checked.problems, []);
      const runs = read(text, `all.${format}`).stored.runs;
      assert.deepEqual(
        runs.map((r) => r.build_commit),
        ["de3ff81", "0a1b2c3"]
      );
      assert.deepEqual(
        runs.map((r) => r.build_number),
        [1, 9999]
      );
      if (format !== "md") {
        assert.deepEqual(
          runs.map((r) => r.hardware.cpu),
          ["AMD EPYC", "Intel Xeon"]
        );
        assert.equal(
          checked.records,
          runs.reduce((n, r) => n + r.results.length, 0)
        );
      }
      assert.equal(runs[0].results.length, runs[1].results.length);
    });
  }

  it("JSONL whose records change build in the middle of one block: the run ids stay those of the block", () => {
    const text = appendedBuild(fixtureText("captured/cpu/llama-bench-jsonl.stdout"));
    const reading = read(text, "all.jsonl");
    assert.deepEqual(
      reading.stored.runs.map((r) => r.id.replace(/^\w+-/, "")),
      ["L1", "L1.2"]
    );
    assert.deepEqual(
      reading.stored.runs.map((r) => [r.source.line_start, r.source.line_end]),
      [
        [1, 4],
        [5, 8]
      ]
    );
  });
});
