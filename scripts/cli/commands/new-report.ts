import {existsSync, mkdirSync, writeFileSync} from "node:fs";
import {relative, resolve} from "node:path";
import type {Command} from "../command.js";
import {parseTags, valueOf} from "../command.js";
import {UsageError} from "../io.js";
import {toRow, type Row} from "../../schema/row.js";
import type {Store} from "../../store/store.js";
import {STORE_OPTION, storeFrom} from "../store-option.js";

/** `Dual RTX 3060: retuning` → `dual-rtx-3060-retuning`. */
export function reportSlug(title: string): string {
  return title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
}

/**
 * Text placed in a page's Markdown: HTML-escaped, and `$` as an entity so
 * that `${…}` in a title or tag is shown, never run (Framework evaluates
 * `${…}` in Markdown as JavaScript).
 */
function markdownText(text: string): string {
  return text.replace(/[&<>"'`$\\{}]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A value as a JavaScript literal inside a page's inline script: `</script>` cannot close it. */
function scriptLiteral(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * What a report's selection holds, for choosing the charts to scaffold: throughput curves over
 * several context depths, quantizations or runtimes compared on one machine, settings swept.
 */
export interface SelectionFacts {
  results: number;
  runs: number;
  /** Model × machine × runtime × test kind measured at two or more context depths. */
  depthCurves: number;
  /** Machines with two or more quantizations measured. */
  quantMachines: number;
  /** Machines with two or more runtimes measured. */
  runtimeMachines: number;
  /** The statistic runtimes are compared by: means where two runtimes have them, else peaks. */
  runtimeStat: "mean" | "peak";
  /** Settings that take two or more values for one model on one machine (a sweep). */
  sweptSettings: string[];
}

/** Settings that name the test rather than the configuration. */
const TEST_SETTINGS = new Set(["n_prompt", "n_gen", "n_depth", "n_prompt_tokens", "n_gen_tokens", "repetitions"]);

/** Groups of `rows` by `key`, and how many distinct values of `of` each holds. */
function distinctPer(rows: Row[], key: (r: Row) => string, of: (r: Row) => unknown): number[] {
  const groups = new Map<string, Set<string>>();
  for (const r of rows) {
    const v = of(r);
    if (v === null || v === undefined) continue;
    const k = key(r);
    groups.set(k, (groups.get(k) ?? new Set()).add(JSON.stringify(v)));
  }
  return [...groups.values()].map((g) => g.size);
}

/** A model's name without its quantization (`Qwen3.5-35B-A3B-UD-Q4_K_XL` → `Qwen3.5-35B-A3B-UD-`), so its quantizations group together. */
const withoutQuant = (r: Row) => {
  const label = String(r.model_label ?? r.model ?? "");
  return typeof r.quant === "string" && r.quant ? label.replace(r.quant, "") : label;
};

export function selectionFacts(rows: Row[]): SelectionFacts {
  const throughput = rows.filter(
    (r) => r.metric === "throughput" && r.status === "ok" && r.value !== null && (r.kind === "pp" || r.kind === "tg")
  );
  const means = throughput.filter((r) => r.stat === "mean");
  const machine = (r: Row) => `${r.hardware ?? ""}`;
  const model = (r: Row) =>
    `${machine(r)}\u0000${r.tool ?? ""}\u0000${r.model_label ?? r.model ?? ""}\u0000${r.runtime ?? ""}`;
  const swept = new Set<string>();
  const byModel = new Map<string, Row[]>();
  for (const r of means) byModel.set(model(r), [...(byModel.get(model(r)) ?? []), r]);
  for (const group of byModel.values()) {
    const settings = group.map((r) => (r.settings as Record<string, unknown> | null) ?? {});
    for (const key of new Set(settings.flatMap((s) => Object.keys(s)))) {
      const values = new Set(
        settings
          .map((s) => s[key])
          .filter((v) => v !== null && v !== undefined)
          .map((v) => JSON.stringify(v))
      );
      if (!TEST_SETTINGS.has(key) && values.size > 1) swept.add(key);
    }
  }
  // Runtimes compare by means where there are, else by what the writeups quote (peaks).
  const runtimeStat = distinctPer(
    means,
    (r) => `${machine(r)}\u0000${withoutQuant(r)}`,
    (r) => r.runtime
  ).some((n) => n > 1)
    ? "mean"
    : "peak";
  return {
    results: rows.length,
    runs: new Set(rows.map((r) => r.run_id)).size,
    depthCurves: distinctPer(
      means,
      (r) => `${model(r)}\u0000${r.kind}`,
      (r) => r.n_depth
    ).filter((n) => n > 1).length,
    quantMachines: new Set(
      means
        .filter(
          (r) =>
            distinctPer(
              means.filter((o) => machine(o) === machine(r) && withoutQuant(o) === withoutQuant(r)),
              () => "",
              (o) => o.quant
            )[0] > 1
        )
        .map(machine)
    ).size,
    runtimeMachines: new Set(
      throughput
        .filter(
          (r) =>
            r.stat === runtimeStat &&
            distinctPer(
              throughput.filter((o) => o.stat === runtimeStat && machine(o) === machine(r)),
              () => "",
              (o) => o.runtime
            )[0] > 1
        )
        .map(machine)
    ).size,
    runtimeStat,
    sweptSettings: [...swept].sort()
  };
}

/** The results in `store` that carry every one of `tags`. */
export function taggedRows(store: Store, tags: Record<string, string>): Row[] {
  if (!existsSync(store.root)) return [];
  return [...store.readAll()].flatMap((input) =>
    input.runs
      .filter((run) => Object.entries(tags).every(([k, v]) => run.tags[k] === v))
      .flatMap((run) => run.results.map((r) => toRow(run, r, false)))
  );
}

/**
 * The scaffold: front matter, a data cell filtering by the tags, a chart for each thing the
 * selection compares (context depths, quantizations, runtimes, a settings sweep), a table of
 * every result, and a claim to start from.
 */
export function reportTemplate(
  title: string,
  tags: Record<string, string>,
  facts: SelectionFacts | null = null
): string {
  const tagText = Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const slug = reportSlug(title) || "report";
  const fence = "```";
  const name = (suffix: string) => JSON.stringify(`${slug}-${suffix}`);
  const imports = [
    `import {chartFigure, tableDownloads} from "../components/shared/downloads.js";`,
    `import {change, pick, pickAll, range, ratio, relink, value} from "../components/shared/claims.js";`,
    `import {rawLineCell} from "../components/shared/format.js";`
  ];
  const sections: string[] = [];
  if (facts?.depthCurves) {
    imports.push(
      `import {decayPlot, decayPoints, decayTable, decayTableRows} from "../components/pages/context-decay.js";`
    );
    sections.push(`## Context decay

${fence}js
const tg = decayPoints(rows, "tg");
const pp = decayPoints(rows, "pp");
if (tg.length) display(relink(chartFigure(decayPlot(tg, {mode: "retention", width}), {title: "Generation throughput against context depth", caption: "% of each curve's depth-0 value; error bars ±1 sd as printed", filename: ${name("tg-decay")}})));
if (pp.length) display(relink(chartFigure(decayPlot(pp, {mode: "absolute", width}), {title: "Prompt processing against context depth", caption: "Mean ± 1 sd as printed", filename: ${name("pp-decay")}})));
display(relink(decayTable([...tg, ...pp])));
display(tableDownloads(decayTableRows([...tg, ...pp]), {columns: ["series", "test", "n_depth", "value", "stddev", "retention", "source"], filename: ${name("decay")}}));
${fence}`);
  }
  if (facts?.quantMachines) {
    imports.push(`import {ladderPlot, ladderTable, quantLadders} from "../components/pages/quantizations.js";`);
    sections.push(`## Quantizations

${fence}js
const ladders = quantLadders(rows, {depth: 0});
if (!ladders.length) display(html\`<p class="muted">No model family here was measured in two quantizations on one machine.</p>\`);
for (const ladder of ladders) {
  display(relink(chartFigure(ladderPlot(ladder.rungs, {width}), {title: ladder.label, caption: \`Ratio to \${ladder.reference}, the largest file; ≈ within noise in the table.\`, filename: ${name("ladder")}})));
  display(relink(ladderTable(ladder.rungs)));
}
${fence}`);
  }
  if (facts?.runtimeMachines) {
    imports.push(
      `import {runtimeBars, runtimeGroups, runtimePlot, runtimeRatioPlot, runtimeTable} from "../components/pages/runtimes.js";`
    );
    sections.push(`## Runtimes

${fence}js
const groups = runtimeGroups(runtimeBars(rows, {minRuntimes: 2, stat: ${JSON.stringify(facts.runtimeStat)}}));
if (!groups.length) display(html\`<p class="muted">No model here was measured with two runtimes on one machine.</p>\`);
for (const group of groups) {
  for (const kind of ["pp", "tg"]) {
    const bars = group.bars.filter((b) => b.kind === kind);
    if (bars.length) display(relink(chartFigure(runtimePlot(bars, {width}), {title: \`\${group.label}: \${kind} throughput\`, caption: "Bars: mean ± 1 sd as printed; label: ratio to the baseline (≈ within noise).", filename: ${name("runtimes")}})));
  }
  if (group.bars.some((b) => b.comparison)) display(relink(chartFigure(runtimeRatioPlot(group.bars, {width}), {title: \`Ratio to \${group.baseline_series}\`, filename: ${name("runtime-ratio")}})));
  display(relink(runtimeTable(group.bars)));
}
${fence}`);
  }
  if (facts?.sweptSettings.length) {
    imports.push(
      `import {sweepMetrics, sweepPanels, sweepPlot, sweepPoints, sweepSettings, sweepTable} from "../components/pages/tuning.js";`
    );
    sections.push(`## Settings swept

${fence}js
// Swept here: ${facts.sweptSettings.join(", ")}. The first the tuning page would offer is drawn; change \`x\` to draw another.
const x = sweepSettings(rows)[0]?.key;
const metric = x ? sweepMetrics(rows, x)[0] : null;
const points = x && metric ? sweepPoints(rows, {x, metric}) : [];
for (const panel of sweepPanels(points)) display(relink(chartFigure(sweepPlot(panel.points, {width, xLabel: x}), {title: \`\${metric} by \${x}\${panel.label ? \` · \${panel.label}\` : ""}\`, filename: ${name("sweep")}})));
if (points.length) display(relink(sweepTable(points, {xLabel: x})));
${fence}`);
  }
  const charted = sections.length > 0;
  return `---
title: ${JSON.stringify(title)}
tag: ${JSON.stringify(tagText)}
---

# ${markdownText(title)}

<!--
  A report is a Markdown page with live cells. Write the prose in your own
  words; quote every number through components/shared/claims.js inside \${…} so it
  is computed from the data at build time and links to its raw line:
    \${value(row)}          the number as stored, linked to its line
    \${ratio(rowA, rowB)}   B/A with its interval and method, linked to both lines
    \${change(rowA, rowB)}  the same as a percentage
    \${range(rows, {…})}    a hand-entered band (marked hand-entered)
  pick(rows, {column: value, …}) finds exactly one row (or fails the build's page loudly).
${
  facts === null || facts.results === 0
    ? `
  No results in the store carried these tags when this page was scaffolded, so
  it has no charts yet: import them, then run new-report again with --force to
  get the charts that fit them (context decay, quantizations, runtimes, sweeps).
`
    : charted
      ? ""
      : `
  These results are at one context depth, with one quantization, one runtime
  and no setting swept, so no comparison chart was scaffolded; the table
  below holds every result.
`
}-->

${fence}js
import * as Inputs from "@observablehq/inputs";
import {html} from "htl";
import {loadResults} from "../components/shared/data.js";
${imports.join("\n")}
// The runs of this report: every result carrying these tags (\`benchbook import … --tag k=v\`).
const TAGS = ${scriptLiteral(tags)};
const rows = (await loadResults()).filter((r) => Object.entries(TAGS).every(([k, v]) => r.tags?.[k] === v));
${fence}

This report draws on \${rows.length} results from \${new Set(rows.map((r) => r.run_id)).size} runs tagged <code>${markdownText(tagText)}</code>.

${sections.join("\n\n")}${charted ? "\n\n" : ""}## Every result

${fence}js
const COLUMNS = ["hardware", "model_label", "runtime", "test", "metric", "stat", "value", "stddev", "unit", "line"];
display(relink(Inputs.table(rows, {columns: COLUMNS, format: {line: rawLineCell}, header: {model_label: "model", line: "raw line"}, rows: 16})));
display(tableDownloads(rows.map((r) => ({...r, source: \`\${r.source_sha256}:\${r.line}\`})), {columns: [...COLUMNS.slice(0, -1), "source"], filename: ${name("results")}}));
${fence}

<!--
  A first claim, once you know which rows to quote:

  ${fence}js
  const before = pick(rows, {test: "tg128", split_mode: "layer"});
  const after = pick(rows, {test: "tg128", split_mode: "tensor"});
  ${fence}

  Generation went from \${value(before)} to \${value(after)}, \${ratio(before, after)}.
-->
`;
}

export const newReportCommand: Command = {
  name: "new-report",
  summary: "scaffold a narrative report (src/reports/<slug>.md) over the runs with a tag",
  usage: '"Title" --tag key=value [options]',
  about: `Writes src/reports/<slug>.md: front matter, a cell loading the results that
carry the tag(s), the charts that fit them (context decay where a model was
measured at several depths, a quantization ladder where quantizations vary,
runtime comparisons, a settings sweep), a table of every result, and notes
on quoting numbers with components/shared/claims.js (every number computed from the
data and linked to its raw line). The site's sidebar lists every
src/reports/*.md under "Reports" by its title; nothing else to edit.`,
  options: [
    {
      name: "tag",
      value: "KEY=VALUE",
      repeatable: true,
      description: "select the runs imported with this tag (repeatable; all must match)"
    },
    {name: "dir", value: "DIR", default: "src/reports", description: "where to write"},
    {name: "force", description: "overwrite an existing report of the same name"},
    {...STORE_OPTION, description: `${STORE_OPTION.description}, read to choose the charts`}
  ],
  async run(args, terminal) {
    const title = args._.map(String).join(" ").trim();
    if (!title) throw new UsageError('expects a title: benchbook new-report "My GPU" --tag writeup=my-gpu');
    const tags = parseTags(args.tag);
    if (Object.keys(tags).length === 0)
      throw new UsageError("expects --tag key=value: a report selects its runs by tag");
    const slug = reportSlug(title);
    if (!slug) throw new UsageError(`cannot make a file name from "${title}"`);
    const dir = resolve(terminal.cwd, valueOf(args, "dir"));
    const path = resolve(dir, `${slug}.md`);
    if (existsSync(path) && !args.force)
      throw new UsageError(`${relative(terminal.cwd, path)} exists (--force overwrites it)`);
    mkdirSync(dir, {recursive: true});
    const facts = selectionFacts(taggedRows(storeFrom(args, terminal), tags));
    writeFileSync(path, reportTemplate(title, tags, facts));
    const charts = [
      facts.depthCurves && "context decay",
      facts.quantMachines && "quantizations",
      facts.runtimeMachines && "runtimes",
      facts.sweptSettings.length && `settings swept (${facts.sweptSettings.join(", ")})`
    ].filter(Boolean);
    if (!facts.results)
      terminal.err(
        `benchbook new-report: no results in the store carry ${Object.entries(tags)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ")}: the page has a table but no charts; import them, then run new-report again with --force\n`
      );
    terminal.out(
      `wrote ${relative(terminal.cwd, path) || path}: ${facts.results} results from ${facts.runs} runs; charts: ${charts.length ? charts.join(", ") : "none (one depth, quantization and runtime; nothing swept)"}\nbuild the site (npm run build) and open /reports/${slug}.html; it is listed under Reports in the sidebar\n`
    );
    return 0;
  }
};
