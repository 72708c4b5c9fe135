/** Filters over result rows whose state lives in the page URL, so a filtered view can be linked. */
import * as Inputs from "@observablehq/inputs";
import {html} from "htl";

export interface FilterField {
  /** Row column, or `tag:<key>` for a tag's value. */
  key: string;
  label: string;
}

/** Selected values per field key; a missing key means every value. */
export type FilterState = Record<string, string[]>;

const NONE = "—";

export function fieldValue(row: Record<string, any>, key: string): string {
  if (key.startsWith("tag:")) {
    const tags = typeof row.tags === "string" ? JSON.parse(row.tags) : row.tags;
    return tags?.[key.slice(4)] ?? NONE;
  }
  const value = row[key];
  return value === null || value === undefined || value === "" ? NONE : String(value);
}

function readUrl(fields: FilterField[]): FilterState {
  const params = new URLSearchParams(location.search);
  const state: FilterState = {};
  for (const {key} of fields) if (params.has(key)) state[key] = params.getAll(key);
  return state;
}

function writeUrl(fields: FilterField[], state: FilterState): void {
  const params = new URLSearchParams(location.search);
  for (const {key} of fields) {
    params.delete(key);
    for (const value of state[key] ?? []) params.append(key, value);
  }
  const query = params.toString();
  history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
}

/**
 * One input per field (checkboxes for a few values, a multi-select for many),
 * fields with a single value are left out. Its value is the FilterState.
 */
export function urlFilters(rows: Record<string, any>[], fields: FilterField[]): HTMLElement & {value: FilterState} {
  const initial = readUrl(fields);
  const inputs: {field: FilterField; values: string[]; input: HTMLElement & {value: string[]}}[] = [];
  for (const field of fields) {
    const values = [...new Set(rows.map((r) => fieldValue(r, field.key)))].sort();
    if (values.length < 2) continue;
    const value = initial[field.key]?.filter((v) => values.includes(v)) ?? values;
    const input = (
      values.length <= 8
        ? Inputs.checkbox(values, {label: field.label, value})
        : Inputs.select(values, {label: field.label, value, multiple: Math.min(values.length, 6)})
    ) as HTMLElement & {value: string[]};
    input.dataset.filter = field.key;
    inputs.push({field, values, input});
  }
  const form = html`<div class="bb-filters">${inputs.map((i) => i.input)}</div>` as HTMLElement & {value: FilterState};
  const read = (): FilterState =>
    Object.fromEntries(
      inputs.filter((i) => i.input.value.length !== i.values.length).map((i) => [i.field.key, [...i.input.value]])
    );
  form.value = read();
  form.addEventListener("input", () => {
    form.value = read();
    writeUrl(fields, form.value);
  });
  return form;
}

export function applyFilters<T extends Record<string, any>>(rows: T[], state: FilterState): T[] {
  const active = Object.entries(state).map(([key, values]) => [key, new Set(values)] as const);
  if (active.length === 0) return rows;
  return rows.filter((row) => active.every(([key, values]) => values.has(fieldValue(row, key))));
}

/**
 * A select whose choice lives in the URL (`?sweep=n_ubatch`), so a view can
 * be linked; a value in the URL that is not among the options is ignored.
 * Options: values, or a Map of label → value.
 */
export function urlSelect(
  options: string[] | Map<string, string>,
  {param, label, value, width}: {param: string; label: string; value?: string | null; width?: number}
): HTMLElement & {value: string} {
  const values = options instanceof Map ? [...options.values()] : options;
  const fromUrl = new URLSearchParams(location.search).get(param);
  const initial =
    fromUrl !== null && values.includes(fromUrl)
      ? fromUrl
      : value !== undefined && value !== null && values.includes(value)
        ? value
        : values[0];
  const input = Inputs.select(options, {label, value: initial, width}) as HTMLElement & {value: string};
  input.dataset.param = param;
  input.addEventListener("input", () => {
    const params = new URLSearchParams(location.search);
    params.set(param, input.value);
    history.replaceState(history.state, "", `${location.pathname}?${params}${location.hash}`);
  });
  return input;
}
