/**
 * Filters for result rows by machine, model and split mode.
 *
 * @example
 *   const filters = view(decayFilters(rows));
 *   const selected = applyDecayFilters(rows, filters);
 */
import * as Inputs from "@observablehq/inputs";
import {html} from "htl";
import type {ResultRow} from "./data.js";

export interface DecayFilters {
  hardware: string[];
  model: string[];
  split_mode: string[];
}

const FIELDS = [
  ["hardware", "Machines"],
  ["model_label", "Models"],
  ["split_mode", "Split mode"]
] as const;

const valueOf = (row: ResultRow, field: string) => String(row[field] ?? "—");

/** One checkbox group per field, all checked; the value is {hardware, model, split_mode}. */
export function decayFilters(rows: ResultRow[]): HTMLElement & {value: DecayFilters} {
  const inputs = FIELDS.map(([field, label]) => {
    const values = [...new Set(rows.filter((r) => r.metric === "throughput").map((r) => valueOf(r, field)))].sort();
    return Inputs.checkbox(values, {label, value: values});
  });
  const form = html`<div class="bb-filters">${inputs}</div>` as HTMLElement & {value: DecayFilters};
  const read = () => ({hardware: inputs[0].value, model: inputs[1].value, split_mode: inputs[2].value});
  form.value = read();
  form.addEventListener("input", () => (form.value = read()));
  return form;
}

export function applyDecayFilters(rows: ResultRow[], filters: DecayFilters): ResultRow[] {
  return rows.filter(
    (r) => filters.hardware.includes(valueOf(r, "hardware")) && filters.model.includes(valueOf(r, "model_label")) && filters.split_mode.includes(valueOf(r, "split_mode"))
  );
}
