/** What is in the store: headline counts, hardware and models, and a searchable list of runs. */
import {html} from "htl";
import * as Inputs from "@observablehq/inputs";
import type {RunSummary, SourceSummary} from "../shared/data.js";
import {sourceLink} from "../shared/format.js";
import * as aq from "../shared/arquero.js";

export function storeStats(runs: RunSummary[], sources: SourceSummary[]): HTMLElement {
  const hardware = new Set(runs.map((r) => r.hardware ?? "?"));
  const models = new Set(runs.flatMap((r) => r.models));
  const results = runs.reduce((n, r) => n + r.results, 0);
  const card = (value: number, label: string) =>
    html`<div class="card"><h2>${value}</h2><span class="muted">${label}</span></div>`;
  return html`<div class="bb-stats">
    ${card(sources.length, sources.length === 1 ? "raw input" : "raw inputs")}
    ${card(runs.length, runs.length === 1 ? "run" : "runs")}
    ${card(results, "measured values")}
    ${card(hardware.size, "machines")}
    ${card(models.size, "models")}
  </div>` as HTMLElement;
}

/** Distinct values of a run field with how many runs have each, most runs first. */
export function countBy(runs: RunSummary[], key: (run: RunSummary) => string[]): {name: string; runs: number}[] {
  const names = runs.flatMap(key);
  if (!names.length) return [];
  const counts = aq.table({name: names}).groupby("name").count({as: "runs"}).objects() as {
    name: string;
    runs: number;
  }[];
  return counts.sort((a, b) => b.runs - a.runs || a.name.localeCompare(b.name));
}

export function countTable(counts: {name: string; runs: number}[], label: string): HTMLElement {
  return Inputs.table(counts, {
    columns: ["name", "runs"],
    header: {name: label, runs: "runs"},
    rows: 12,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}

/** Runs, newest first, each linked to the lines of the raw input it came from. */
export function runsTable(runs: RunSummary[]): HTMLElement {
  const rows = runs.map((r) => ({
    ...r,
    model: r.models.join(", "),
    tagText: Object.entries(r.tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(" "),
    source: r.file
  }));
  type Row = (typeof rows)[number];
  return Inputs.table(rows, {
    columns: ["id", "model", "hardware", "tool", "build", "date", "results", "tagText", "source"],
    header: {
      id: "run",
      model: "model",
      hardware: "hardware",
      tool: "tool",
      build: "build",
      date: "date",
      results: "values",
      tagText: "tags",
      source: "raw input"
    },
    format: {
      id: (id: string) =>
        html`<a href=${`./runs/${id}.html`} title="the run's page: provenance, settings, command, raw lines">${id}</a>`,
      date: (d: string) => d.slice(0, 10),
      source: (_: string, i: number, data: Row[]) =>
        sourceLink(data[i].source_sha256, data[i].line_start, `${data[i].file}:${data[i].line_start}`)
    },
    sort: "date",
    reverse: true,
    rows: 20,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}
