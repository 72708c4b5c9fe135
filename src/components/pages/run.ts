/** One run, whole: provenance, machine, model, settings, command, environment, results, raw lines. */
import * as Inputs from "@observablehq/inputs";
import {html} from "htl";
import * as aq from "../shared/arquero.js";
import type {ResultRow} from "../shared/data.js";
import {formatPercent, formatPm, sourceHref, sourceLink, writeupLine} from "../shared/format.js";
import {hardwareCard, machineFacts} from "../shared/hardware.js";

type Scalar = string | number | boolean | null;

export interface RunResult {
  line: number;
  text?: string | null;
  test: string;
  kind: string;
  n_prompt?: number | null;
  n_gen?: number | null;
  n_depth?: number | null;
  concurrency?: number | null;
  scope?: string;
  request?: number | null;
  seq?: number | null;
  metric: string;
  unit: string;
  stat: string;
  value: number | null;
  stddev?: number | null;
  stddev_kind?: string | null;
  repetitions?: number | null;
  samples?: number[] | null;
  /** How many per-repetition samples the tool printed (the run file leaves the samples themselves out). */
  samples_n?: number;
  status: string;
  status_detail?: string | null;
  time?: string | null;
  settings?: Record<string, Scalar>;
  model?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

/** A result against its hardware's limit, as the export wrote it into the run's file. */
export interface RunLimit {
  share: number;
  peak_device: string | null;
  peak_bw_gbs: number | null;
  peak_tflops: number | null;
  bytes_per_token: number | null;
  flops_per_token: number | null;
}

export interface RunDetail {
  schema: number;
  hardware_label: string | null;
  model_label: string | null;
  source: {
    sha256: string;
    name: string;
    bytes: number;
    lines: number;
    imported_at: string;
    tags: Record<string, string>;
    blocks: {format: string; line_start: number; line_end: number; confidence?: number; reason?: string}[];
  };
  attachments: {role: string; sha256: string; bytes: number | null; text: string | null}[];
  /** [line number, text] of the raw lines shown: the run's range, or the lines around its values when the range is long. */
  excerpt: [number, string][];
  /** Results the run has; `run.results` holds the first of them (a long log's run is queried in the explorer). */
  results_total: number;
  /** Per result of `run.results`: its share of the hardware's limit (bandwidth for tg, compute for pp), or null (docs/efficiency.md). */
  limits?: (RunLimit | null)[];
  run: {
    id: string;
    tool: string;
    tool_version: string | null;
    runtime: string | null;
    build_commit: string | null;
    build_number: number | null;
    format: string;
    origin?: string;
    source: {sha256: string; name: string; line_start: number; line_end: number};
    imported_at: string;
    started_at: string | null;
    tags: Record<string, string>;
    command: string | null;
    hardware: {
      gpus: {
        index: number | null;
        name: string;
        vram_mib: number | null;
        compute_capability?: string | null;
        extra?: Record<string, unknown>;
      }[];
      gpu_info: string | null;
      vram_total_mib: number | null;
      backend: string | null;
      cpu: string | null;
      stated: string | null;
    };
    model: Record<string, Scalar>;
    settings: Record<string, Scalar>;
    settings_from_command: string[];
    notes: string[];
    extra: Record<string, unknown>;
    results: RunResult[];
  };
}

/** Text of any value: objects as compact JSON (rendered as text, never HTML). */
export function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A two-column key/value table; values are text. */
function facts(rows: [string, unknown][], className = "bb-run-facts"): HTMLElement {
  const table = document.createElement("table");
  table.className = className;
  const body = document.createElement("tbody");
  for (const [key, value] of rows) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.textContent = key;
    const td = document.createElement("td");
    if (value instanceof Node) td.append(value);
    else td.textContent = show(value);
    tr.append(th, td);
    body.append(tr);
  }
  table.append(body);
  return table;
}

export function buildText(run: RunDetail["run"]): string | null {
  if (run.build_commit) return `${run.build_commit}${run.build_number !== null ? ` (${run.build_number})` : ""}`;
  return null;
}

/** Provenance: what printed this, from which raw lines, imported when, tagged how. */
export function runProvenance(detail: RunDetail): HTMLElement {
  const {run, source} = detail;
  const origin = run.origin ?? "measured";
  const originNode = html`<span class=${origin === "hand-entered" ? "bb-origin bb-hand" : "bb-origin"}>${origin === "hand-entered" ? "hand-entered (typed in from a writeup, not printed by a tool)" : "measured (read from a tool's output)"}</span>`;
  const range = sourceLink(
    run.source.sha256,
    run.source.line_start,
    `${run.source.name}, lines ${run.source.line_start}–${run.source.line_end}`,
    1
  );
  const blocks = source.blocks.map((b) => `${b.format} (lines ${b.line_start}–${b.line_end})`).join("; ");
  const extra = run.extra ?? {};
  return facts([
    ["run", run.id],
    ["origin", originNode],
    ["tool", run.tool],
    ["tool version", run.tool_version],
    ...(extra.runtime_version ? [["runtime version", extra.runtime_version] as [string, unknown]] : []),
    ["build", buildText(run)],
    ["runtime", run.runtime],
    ["format", run.format],
    ["raw input", range],
    ["blocks read there", blocks || null],
    ["raw input sha256", source.sha256],
    ["imported", run.imported_at],
    ["ran", run.started_at ?? (extra.date as string | undefined) ?? "not printed"],
    [
      "tags",
      Object.keys(run.tags).length
        ? Object.entries(run.tags)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")
        : null
    ],
    ...(run.notes.length ? [["notes", run.notes.join(" · ")] as [string, unknown]] : [])
  ]);
}

/** The row shape the hardware card reads, for this one run. */
export function hardwareRow(detail: RunDetail): ResultRow {
  const {run} = detail;
  return {
    run_id: run.id,
    tool: run.tool,
    runtime: run.runtime,
    hardware: detail.hardware_label,
    gpu_name: run.hardware.gpus[0]?.name ?? run.hardware.gpu_info ?? run.hardware.stated,
    gpus: run.hardware.gpus,
    vram_total_mib: run.hardware.vram_total_mib,
    backend: run.hardware.backend,
    cpu: run.hardware.cpu,
    extra: run.extra,
    model_label: detail.model_label,
    source_sha256: run.source.sha256,
    file: run.source.name,
    run_line_start: run.source.line_start,
    line: run.source.line_start,
    test: "",
    kind: "",
    n_depth: null,
    metric: "",
    unit: "",
    stat: "",
    value: null,
    stddev: null
  };
}

/** The machine as the hardware card shows it (GPUs, VRAM, PCIe, driver), plus what only this run states. */
export function runHardware(detail: RunDetail): HTMLElement {
  const hw = detail.run.hardware;
  const card = hardwareCard(machineFacts([hardwareRow(detail)])[0]);
  // The card links raw inputs from the site root; this page is one folder down.
  for (const a of card.querySelectorAll<HTMLAnchorElement>('a[href^="./sources/"]'))
    a.setAttribute("href", `../${a.getAttribute("href")!.slice(2)}`);
  const wrap = html`<div></div>` as HTMLElement;
  wrap.append(card);
  const more: [string, unknown][] = [];
  if (hw.stated) more.push(["stated", hw.stated]);
  if (hw.gpu_info) more.push(["GPU info (as the tool printed it)", hw.gpu_info]);
  if (more.length) wrap.append(facts(more));
  return wrap;
}

export function runModel(detail: RunDetail): HTMLElement {
  const m = detail.run.model;
  return facts([
    ["label", detail.model_label],
    ["name (as printed)", m.name],
    ["file", m.file],
    ["architecture", m.architecture],
    ["quantization", m.quant],
    ["file type", m.ftype],
    [
      "size",
      m.size_bytes !== null && m.size_bytes !== undefined
        ? `${m.size_bytes} bytes`
        : m.size_value !== null && m.size_value !== undefined
          ? `${m.size_value} ${m.size_unit ?? ""}`
          : null
    ],
    [
      "parameters",
      m.n_params ??
        (m.params_value !== null && m.params_value !== undefined ? `${m.params_value} ${m.params_unit ?? ""}` : null)
    ]
  ]);
}

export interface SettingRow {
  name: string;
  value: string;
  from: string;
}

/** Every setting of the run, and settings that differ per result (a sweep), with where each came from. */
export function settingRows(run: RunDetail["run"]): SettingRow[] {
  const fromCommand = new Set(run.settings_from_command);
  // Settings a writeup's configuration table stated (scripts/context/configuration.ts), with their lines.
  const contextLines = (run.extra?.settings_context_lines ?? {}) as Record<string, number>;
  const stated = run.origin === "hand-entered" ? "writeup (hand-entered)" : "output";
  const from = (name: string) =>
    fromCommand.has(name)
      ? "command line"
      : contextLines[name] !== undefined
        ? `the text's configuration table (line ${contextLines[name]})`
        : stated;
  const rows: SettingRow[] = Object.entries(run.settings).map(([name, value]) => ({
    name,
    value: show(value),
    from: from(name)
  }));
  const varied = new Map<string, Set<string>>();
  for (const r of run.results)
    for (const [name, value] of Object.entries(r.settings ?? {}))
      varied.set(name, (varied.get(name) ?? new Set()).add(show(value)));
  for (const [name, values] of varied) rows.push({name, value: [...values].join(", "), from: "per result (varies)"});
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

export function runSettings(detail: RunDetail): HTMLElement {
  const rows = settingRows(detail.run);
  if (!rows.length) return html`<p class="muted">No settings were printed or given.</p>` as HTMLElement;
  return Inputs.table(rows, {
    header: {name: "setting", value: "value", from: "from"},
    layout: "auto",
    select: false,
    rows: 30,
    sort: "name"
  }) as HTMLElement;
}

function pre(text: string, className = "bb-command"): HTMLElement {
  const node = document.createElement("pre");
  node.className = className;
  node.textContent = text; // text, never HTML
  return node;
}

/** The commands as printed before the output: the benchmark's, and the server's when it measured one. */
export function runCommand(detail: RunDetail): HTMLElement {
  const {run} = detail;
  const wrap = html`<div></div>` as HTMLElement;
  const server = run.extra?.server_command;
  if (typeof server === "string") wrap.append(html`<p>Server:</p>`, pre(server));
  if (run.command) wrap.append(typeof server === "string" ? html`<p>Benchmark:</p>` : "", pre(run.command));
  const env = run.extra?.env;
  if (env && typeof env === "object")
    wrap.append(
      html`<p>Environment variables on the command line:</p>`,
      pre(
        Object.entries(env as Record<string, unknown>)
          .map(([k, v]) => `${k}=${show(v)}`)
          .join("\n")
      )
    );
  if (!wrap.childNodes.length) wrap.append(html`<p class="muted">No command was printed with this output.</p>`);
  return wrap;
}

/** Flatten a nested object into dotted keys, for a readable table. */
export function flatten(value: unknown, prefix = "", out: [string, unknown][] = []): [string, unknown][] {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.length && prefix) out.push([prefix, "{}"]);
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.push([prefix, value]);
  return out;
}

/** The environment a `benchbook bench` capture recorded (machine, runtime, model identity) and the cell's record. */
export function runEnvironment(detail: RunDetail): HTMLElement | null {
  const {extra} = detail.run;
  if (!extra?.environment && !extra?.capture) return null;
  const wrap = html`<div></div>` as HTMLElement;
  if (extra.capture) wrap.append(html`<h3>Capture</h3>`, facts(flatten(extra.capture)));
  if (extra.environment) wrap.append(html`<h3>Environment</h3>`, facts(flatten(extra.environment)));
  return wrap;
}

/** Other facts printed about the run (client options, dates, unknown fields), minus what other sections show. */
export function runExtra(detail: RunDetail): HTMLElement | null {
  const skip = new Set(["environment", "capture", "server_command", "env"]);
  const rows = flatten(Object.fromEntries(Object.entries(detail.run.extra ?? {}).filter(([k]) => !skip.has(k))));
  return rows.length ? facts(rows) : null;
}

export interface ResultTableRow {
  /** The settings that vary between the run's results (variedColumns), one column each. */
  [setting: `setting:${string}`]: string;
  line: number;
  test: string;
  kind: string;
  metric: string;
  stat: string;
  value: string;
  unit: string;
  scope: string;
  concurrency: number | null;
  n_depth: number | null;
  request: number | null;
  seq: number | null;
  status: string;
  text: string;
  /** A hand-entered value's line in its attached writeup (format.ts writeupLine), else null. */
  writeup: {sha256: string; line: number} | null;
  /** `79.8%` of the hardware's limit, and what that limit is. */
  limit: string;
  limit_title: string;
}

/** `79.8% of 1008 GB/s (NVIDIA GeForce RTX 4090), 9.51 GB per token`. */
export function limitTitle(kind: string, limit: RunLimit): string {
  const peak = kind === "tg" ? `${limit.peak_bw_gbs} GB/s` : `${limit.peak_tflops} TFLOP/s`;
  const cost =
    kind === "tg"
      ? limit.bytes_per_token === null
        ? ""
        : `, ${(limit.bytes_per_token / 1e9).toPrecision(4)} GB read per token`
      : limit.flops_per_token === null
        ? ""
        : `, ${(limit.flops_per_token / 1e9).toPrecision(4)} GFLOP per token`;
  return `${formatPercent(limit.share)} of ${peak}${limit.peak_device ? ` (${limit.peak_device})` : ""}${cost}`;
}

/**
 * The settings that differ between a run's results (a `-ub 128,256` sweep, `-m a.gguf,b.gguf`), in
 * the order first met: shown as columns, so rows that differ only there do not look like duplicates.
 * `model` where the results name different models, `gpu` where values are per GPU (a log's buffers).
 */
export function variedColumns(run: RunDetail["run"]): string[] {
  const overridden = new Set(run.results.flatMap((r) => Object.keys(r.settings ?? {})));
  const columns = ["model", "gpu", ...[...overridden].filter((k) => k !== "model" && k !== "gpu")];
  // A column varies where its results have two distinct values (a rollup over the long form); a key a
  // result overrides differs from the run where any result lacks it or gives another value.
  const cells = run.results.flatMap((r) => columns.map((column) => [column, variedValue(run, r, column)]));
  if (!cells.length) return [];
  const distinct = aq
    .table({column: cells.map((c) => c[0]), value: cells.map((c) => c[1])})
    .groupby("column")
    .rollup({values: aq.op.distinct("value")});
  return distinct.array("column").filter((_, i) => (distinct.get("values", i) as number) > 1) as string[];
}

/** One result's value of a varied column (variedColumns). */
function variedValue(run: RunDetail["run"], r: RunResult, key: string): string {
  if (key === "model") return show(r.model?.label ?? r.model?.name ?? r.model?.path ?? null);
  if (key === "gpu") return show(r.extra?.gpu ?? null);
  return show(r.settings?.[key] ?? run.settings[key] ?? null);
}

export function resultRows(run: RunDetail["run"], limits: RunDetail["limits"] = []): ResultTableRow[] {
  const varied = variedColumns(run);
  return run.results.map((r, i) => ({
    ...Object.fromEntries(varied.map((key) => [`setting:${key}`, variedValue(run, r, key)])),
    line: r.line,
    test: r.test,
    kind: r.kind,
    metric: r.metric,
    stat: r.stat,
    value: r.value === null ? "—" : formatPm(r.value, r.stddev ?? null),
    unit: r.unit,
    scope: r.scope ?? "run",
    concurrency: r.concurrency ?? null,
    n_depth: r.n_depth ?? null,
    request: r.request ?? null,
    seq: r.seq ?? null,
    status: r.status === "ok" ? "ok" : `${r.status}${r.status_detail ? `: ${r.status_detail.split("\n")[0]}` : ""}`,
    text: r.text ?? "",
    writeup: writeupLine(r.extra),
    limit: limits?.[i] ? formatPercent(limits[i]!.share) : "",
    limit_title: limits?.[i] ? limitTitle(r.kind, limits[i]!) : ""
  }));
}

/** Says when the page shows only the first results of a long run, and how to get all of them. */
export function resultsNote(detail: RunDetail): HTMLElement | null {
  const shown = detail.run.results.length;
  if (detail.results_total <= shown) return null;
  const sql = `SELECT * FROM results WHERE run_id = '${detail.run.id}'`;
  const code = document.createElement("code");
  code.textContent = sql;
  return html`<p class="bb-note">The first ${shown} of this run's ${detail.results_total} results. All of them: the <a href="../explorer.html">explorer</a> with ${code}, or the CSV on the overview.</p>` as HTMLElement;
}

/** Every result (or the first of a long run); each line number jumps to the highlighted raw line below and links to the whole input. */
export function runResultsTable(detail: RunDetail): HTMLElement {
  const rows = resultRows(detail.run, detail.limits);
  const sha = detail.run.source.sha256;
  // "% of limit" only for runs where some result has one.
  const limits = rows.some((r) => r.limit);
  const varied = variedColumns(detail.run);
  return Inputs.table(rows, {
    // The test kind (pp, tg) only where the run's tests mix them under one name.
    columns: [
      ...varied.map((k) => `setting:${k}`),
      "test",
      ...(new Set(rows.map((r) => r.kind)).size > 1 ? ["kind"] : []),
      "metric",
      "stat",
      "value",
      "unit",
      ...(limits ? ["limit"] : []),
      "scope",
      "concurrency",
      "n_depth",
      "request",
      "seq",
      "status",
      "text",
      "line"
    ],
    header: {
      ...Object.fromEntries(varied.map((k) => [`setting:${k}`, k])),
      test: "test",
      kind: "kind",
      metric: "metric",
      stat: "stat",
      value: "value (± sd)",
      unit: "unit",
      limit: "% of limit",
      scope: "scope",
      concurrency: "conc.",
      n_depth: "depth",
      request: "request",
      seq: "#",
      status: "status",
      text: "as printed",
      line: "raw line"
    },
    format: {
      limit: (v: string, i: number, data: ResultTableRow[]) =>
        v ? html`<span title=${data[i].limit_title}>${v}</span>` : "",
      line: (n: number, i: number, data: ResultTableRow[]) => {
        const writeup = data[i].writeup;
        // A hand-entered value also links to the line of the writeup it was read from.
        const cited = writeup
          ? html` · <a href=${sourceHref(writeup.sha256, writeup.line, 1)} title="the writeup this value was read from">writeup ${writeup.line}</a>`
          : "";
        return html`<span><a href=${`#L${n}`}>${n}</a> <a href=${sourceHref(sha, n, 1)} title="the whole raw input">↗</a>${cited}</span>`;
      }
    },
    layout: "auto",
    select: false,
    rows: 20
  } as any) as HTMLElement;
}

export function resultDownloadRows(run: RunDetail["run"]): Record<string, string | number | null>[] {
  const varied = variedColumns(run);
  return run.results.map((r) => ({
    ...Object.fromEntries(varied.map((key) => [key, variedValue(run, r, key)])),
    test: r.test,
    kind: r.kind,
    metric: r.metric,
    stat: r.stat,
    value: r.value,
    stddev: r.stddev ?? null,
    stddev_kind: r.stddev_kind ?? null,
    unit: r.unit,
    scope: r.scope ?? "run",
    concurrency: r.concurrency ?? null,
    n_depth: r.n_depth ?? null,
    request: r.request ?? null,
    seq: r.seq ?? null,
    status: r.status,
    line: r.line
  }));
}
/** The download's columns: the varied settings first, as in the table. */
export const resultDownloadColumns = (run: RunDetail["run"]): string[] => [
  ...variedColumns(run),
  ...RESULT_DOWNLOAD_COLUMNS
];
export const RESULT_DOWNLOAD_COLUMNS = [
  "test",
  "kind",
  "metric",
  "stat",
  "value",
  "stddev",
  "stddev_kind",
  "unit",
  "scope",
  "concurrency",
  "n_depth",
  "request",
  "seq",
  "status",
  "line"
];

/**
 * The run's raw lines (the export keeps the whole line range when short, else
 * the lines around each value line), one row per physical line with anchors
 * (#L12), the lines a value was read from highlighted with how many values
 * each gave. Gaps say how many lines were left out.
 */
export function runExcerpt(detail: RunDetail): HTMLElement {
  const counts = aq.countValues(detail.run.results.map((r) => r.line)) as Map<number, number>;
  const table = document.createElement("table");
  table.className = "raw-source bb-run-excerpt";
  const body = document.createElement("tbody");
  let previous: number | null = null;
  for (const [n, text] of detail.excerpt) {
    if (previous !== null && n > previous + 1) {
      const gap = document.createElement("tr");
      gap.className = "gap";
      const td = document.createElement("td");
      td.colSpan = 3;
      td.textContent = `… ${n - previous - 1} lines not shown (see the whole input)`;
      gap.append(td);
      body.append(gap);
    }
    previous = n;
    const tr = document.createElement("tr");
    tr.id = `L${n}`;
    const values = counts.get(n) ?? 0;
    tr.className = values ? "in-block value-line" : "in-block";
    const ln = document.createElement("td");
    ln.className = "ln";
    const a = document.createElement("a");
    a.href = sourceHref(detail.run.source.sha256, n, 1);
    a.textContent = String(n);
    ln.append(a);
    const mark = document.createElement("td");
    mark.className = "marks";
    mark.textContent = values ? `${values}` : "";
    if (values) mark.title = `${values} value${values === 1 ? "" : "s"} read from this line`;
    const code = document.createElement("td");
    code.className = "code";
    code.textContent = text; // text, never HTML: raw inputs are untrusted
    tr.append(ln, mark, code);
    body.append(tr);
  }
  table.append(body);
  return table;
}

/** The cell id, plan and parameters of a `benchbook bench` run, when it was one. */
export function benchCell(detail: RunDetail): {
  cell_id: string;
  cell_label: string | null;
  plan: string | null;
  params: Record<string, unknown> | null;
  planText: string | null;
} | null {
  const capture = detail.run.extra?.capture as
    {cell_id?: string; cell_label?: string; plan?: {name?: string} | null} | undefined;
  if (!capture?.cell_id) return null;
  const record = detail.attachments.find((a) => a.role === "capture")?.text;
  let params: Record<string, unknown> | null = null;
  if (record) {
    try {
      params = (JSON.parse(record) as {cell?: {params?: Record<string, unknown>}}).cell?.params ?? null;
    } catch {
      params = null;
    }
  }
  return {
    cell_id: capture.cell_id,
    cell_label: capture.cell_label ?? null,
    plan: capture.plan?.name ?? null,
    params,
    planText: detail.attachments.find((a) => a.role === "plan")?.text ?? null
  };
}

/** How to get this number again: the plan cell for `benchbook bench` runs, else the printed commands. */
export function runReproduce(detail: RunDetail): HTMLElement {
  const {run} = detail;
  const wrap = html`<div class="bb-reproduce"></div>` as HTMLElement;
  const cell = benchCell(detail);
  if (run.origin === "hand-entered") {
    wrap.append(
      html`<p>These numbers were typed in from a writeup, not captured from a tool: reproduce them by running the writeup's configuration yourself${run.command ? " (its command is below)" : ""} and importing the output.</p>`
    );
    if (run.command) wrap.append(pre(run.command));
    return wrap;
  }
  if (cell) {
    wrap.append(
      html`<p>This run was captured by <code>benchbook bench</code>: plan <code>${cell.plan ?? "?"}</code>, cell <code>${cell.cell_id}</code>${cell.cell_label ? ` (${cell.cell_label})` : ""}. Run that cell again (its results are imported into the store as a new run):</p>`,
      pre(`npx benchbook bench ${cell.plan ?? "PLAN.yaml"} --only ${cell.cell_id}`)
    );
    if (cell.params) wrap.append(html`<p>The cell's parameters:</p>`, facts(flatten(cell.params)));
    if (cell.planText) {
      const details = html`<details><summary>The plan, as stored with the run</summary></details>` as HTMLElement;
      details.append(pre(cell.planText, "bb-plan"));
      wrap.append(details);
    }
    if (run.command) wrap.append(html`<p>The command the cell ran:</p>`, pre(run.command));
    return wrap;
  }
  const steps: string[] = [];
  if (run.build_commit) steps.push(`# llama.cpp at the build the output names\ngit checkout ${run.build_commit}`);
  const server = run.extra?.server_command;
  if (typeof server === "string") steps.push(`# start the server as it was started\n${server}`);
  if (run.command) steps.push(`# run the benchmark as it was run\n${run.command}`);
  if (steps.length) {
    wrap.append(
      html`<p>The commands printed with the output, in order; then import what the benchmark prints:</p>`,
      pre(`${steps.join("\n\n")}\n\n# keep what it prints, then\nnpx benchbook import output.txt`)
    );
    if (run.settings_from_command.length)
      wrap.append(
        html`<p class="muted">Settings from the command line: ${run.settings_from_command.join(", ")}. Settings the output printed that the command does not set were the tool's defaults at that build.</p>`
      );
  } else
    wrap.append(
      html`<p class="muted">No command was printed with this output; the settings table above lists what the tool reported.</p>`
    );
  return wrap;
}
