/**
 * Store facts once per run: what every result of a run shares moves to the
 * run, and each result keeps only what differs (e.g. the `n_ubatch` of a
 * `-ub 128,256` sweep).
 */
import type {Model, Result, Settings} from "../../schema/schema.js";
import {emptyModel} from "../../schema/schema.js";

export interface RowWithFacts {
  result: Result;
  model: Model;
  settings: Settings;
}

// Settings and model facts are scalars; only the rare object value needs a deep compare.
const same = (a: unknown, b: unknown) =>
  a === b ||
  (typeof a === "object" &&
    a !== null &&
    typeof b === "object" &&
    b !== null &&
    JSON.stringify(a) === JSON.stringify(b));

/**
 * Keys whose value is the same in every item (with that value), and the others.
 * Rows often share one facts object (a record's throughput and duration rows,
 * consecutive records with equal settings): each distinct object is compared once.
 */
function splitCommon<T extends Record<string, unknown>>(items: T[]): {common: Partial<T>; differing: Set<string>} {
  const distinct: Record<string, unknown>[] = [];
  let previous: unknown = undefined;
  for (const item of items) {
    if (item !== previous) distinct.push(item);
    previous = item;
  }
  // Keys in first-seen order, as the union of every item's keys.
  const keys = new Set<string>();
  for (const item of distinct) for (const key in item) keys.add(key);
  const common: Record<string, unknown> = {};
  const differing = new Set<string>();
  const first = distinct[0];
  for (const key of keys) {
    const value = first[key];
    let shared = key in first;
    for (let i = 1; shared && i < distinct.length; i++) {
      const item = distinct[i];
      shared = key in item && same(item[key], value);
    }
    if (shared) common[key] = value;
    else differing.add(key);
  }
  return {common: common as Partial<T>, differing};
}

/** obj[key] = value, as an own property even for `__proto__` (what Object.fromEntries does). */
function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(obj, key, {value, enumerable: true, writable: true, configurable: true});
  else obj[key] = value;
}

export function hoist(rows: RowWithFacts[]): {model: Model; settings: Settings; results: Result[]} {
  if (rows.length === 0) return {model: emptyModel(), settings: {}, results: []};
  const models = splitCommon(rows.map((r) => r.model as unknown as Record<string, unknown>));
  const settings = splitCommon(rows.map((r) => r.settings));
  const model = {...emptyModel(), ...(models.common as Partial<Model>)};
  for (const key of models.differing) (model as unknown as Record<string, unknown>)[key] = null;
  const modelKeys = [...models.differing];
  const settingKeys = [...settings.differing];
  const results = rows.map(({result, model: m, settings: s}) => {
    const out: Result = {...result};
    if (modelKeys.length) {
      const own: Record<string, unknown> = {};
      for (const key of modelKeys) put(own, key, (m as unknown as Record<string, unknown>)[key] ?? null);
      out.model = own as Partial<Model>;
    }
    if (settingKeys.length) {
      const own: Record<string, unknown> = {};
      for (const key of settingKeys) if (key in s) put(own, key, s[key]);
      out.settings = own as Settings;
    }
    return out;
  });
  return {model, settings: settings.common as Settings, results};
}
