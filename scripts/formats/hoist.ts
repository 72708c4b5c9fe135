/**
 * Store facts once per run: what every result of a run shares moves to the
 * run, and each result keeps only what differs (e.g. the `n_ubatch` of a
 * `-ub 128,256` sweep).
 */
import type {Model, Result, Settings} from "../schema/schema.js";
import {emptyModel} from "../schema/schema.js";

export interface RowWithFacts {
  result: Result;
  model: Model;
  settings: Settings;
}

// Settings and model facts are scalars; only the rare object value needs a deep compare.
const same = (a: unknown, b: unknown) => a === b || (typeof a === "object" && a !== null && typeof b === "object" && b !== null && JSON.stringify(a) === JSON.stringify(b));

function splitCommon<T extends Record<string, unknown>>(items: T[]): {common: Partial<T>; differing: Set<string>} {
  const keys = new Set<string>();
  for (const item of items) for (const key in item) keys.add(key);
  const common: Record<string, unknown> = {};
  const differing = new Set<string>();
  for (const key of keys) {
    const first = items[0][key];
    if (items.every((item) => key in item && same(item[key], first))) common[key] = first;
    else differing.add(key);
  }
  return {common: common as Partial<T>, differing};
}

export function hoist(rows: RowWithFacts[]): {model: Model; settings: Settings; results: Result[]} {
  if (rows.length === 0) return {model: emptyModel(), settings: {}, results: []};
  const models = splitCommon(rows.map((r) => r.model as unknown as Record<string, unknown>));
  const settings = splitCommon(rows.map((r) => r.settings));
  const model = {...emptyModel(), ...(models.common as Partial<Model>)};
  for (const key of models.differing) (model as unknown as Record<string, unknown>)[key] = null;
  const results = rows.map(({result, model: m, settings: s}) => {
    const out: Result = {...result};
    if (models.differing.size) out.model = Object.fromEntries([...models.differing].map((k) => [k, (m as unknown as Record<string, unknown>)[k] ?? null])) as Partial<Model>;
    if (settings.differing.size) out.settings = Object.fromEntries([...settings.differing].filter((k) => k in s).map((k) => [k, s[k]]));
    return out;
  });
  return {model, settings: settings.common as Settings, results};
}
