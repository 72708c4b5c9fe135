import {existsSync, mkdirSync, writeFileSync} from "node:fs";
import {relative, resolve} from "node:path";
import type {Command} from "../command.js";
import {parseTags, single} from "../command.js";
import {UsageError} from "../io.js";

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
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** The scaffold: front matter, a data cell filtering by the tags, a context-decay chart, a table, a claim to start from. */
export function reportTemplate(title: string, tags: Record<string, string>): string {
  const tagText = Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const slug = reportSlug(title) || "report";
  const fence = "```";
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
-->

${fence}js
import {html} from "htl";
import {loadResults} from "../components/shared/data.js";
import {decayPlot, decayPoints, decayTable, decayTableRows} from "../components/pages/context-decay.js";
import {chartFigure, tableDownloads} from "../components/shared/downloads.js";
import {change, pick, pickAll, range, ratio, relink, value} from "../components/shared/claims.js";
// The runs of this report: every result carrying these tags (\`benchbook import … --tag k=v\`).
const TAGS = ${scriptLiteral(tags)};
const rows = (await loadResults()).filter((r) => Object.entries(TAGS).every(([k, v]) => r.tags?.[k] === v));
${fence}

This report draws on \${rows.length} results from \${new Set(rows.map((r) => r.run_id)).size} runs tagged <code>${markdownText(tagText)}</code>.

## Context decay

${fence}js
const tg = decayPoints(rows, "tg");
display(tg.length ? chartFigure(decayPlot(tg, {mode: "retention", width}), {title: "Generation throughput against context depth", caption: "% of each curve's depth-0 value; error bars ±1 sd as printed", filename: ${JSON.stringify(`${slug}-tg-decay`)}}) : html\`<p class="muted">No generation results at several context depths carry these tags yet.</p>\`);
${fence}

## The numbers

${fence}js
display(relink(decayTable(tg)));
display(tableDownloads(decayTableRows(tg), {columns: ["series", "test", "n_depth", "value", "stddev", "retention", "source"], filename: ${JSON.stringify(`${slug}-tg`)}}));
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
  help: `Usage: benchbook new-report "Title" --tag key=value [options]

Writes src/reports/<slug>.md: front matter, a cell loading the results that
carry the tag(s), a context-decay chart and a table to start from, and notes
on quoting numbers with components/shared/claims.js (every number computed from the
data and linked to its raw line). The site's sidebar lists every
src/reports/*.md under "Reports" by its title; nothing else to edit.

Options:
  --tag k=v        select the runs imported with this tag (repeatable; all must match)
  --dir DIR        where to write (default: src/reports)
  --force          overwrite an existing report of the same name`,
  options: {string: ["tag", "dir"], boolean: ["force"]},
  async run(args, terminal) {
    const title = args._.map(String).join(" ").trim();
    if (!title) throw new UsageError('expects a title: benchbook new-report "My GPU" --tag writeup=my-gpu');
    const tags = parseTags(args.tag);
    if (Object.keys(tags).length === 0) throw new UsageError("expects --tag key=value: a report selects its runs by tag");
    const slug = reportSlug(title);
    if (!slug) throw new UsageError(`cannot make a file name from "${title}"`);
    const dir = resolve(terminal.cwd, single(args, "dir") ?? "src/reports");
    const path = resolve(dir, `${slug}.md`);
    if (existsSync(path) && !args.force) throw new UsageError(`${relative(terminal.cwd, path)} exists (--force overwrites it)`);
    mkdirSync(dir, {recursive: true});
    writeFileSync(path, reportTemplate(title, tags));
    terminal.out(`wrote ${relative(terminal.cwd, path) || path}\nbuild the site (npm run build) and open /reports/${slug}.html; it is listed under Reports in the sidebar\n`);
    return 0;
  }
};
