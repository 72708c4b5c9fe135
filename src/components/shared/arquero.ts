/**
 * arquero for the site's components. The package's index also exports file loaders that import
 * node:fs, which Framework's bundle cannot load in a browser, so the parts the components use are
 * imported from their own modules (typed as the package's).
 */
import type {desc as Desc, op as Op, table as Table} from "arquero";
// @ts-expect-error untyped path: the same function the package's index exports
import {table as tableImpl} from "arquero/src/table/index.js";
// @ts-expect-error untyped path: the same function the package's index exports
import {desc as descImpl} from "arquero/src/helpers/desc.js";
// @ts-expect-error untyped path: the same object the package's index exports
import {opApi} from "arquero/src/op/op-api.js";

export const table: typeof Table = tableImpl;
export const desc: typeof Desc = descImpl;
export const op: typeof Op = opApi;

/**
 * Rows grouped by a key (groupby), groups in the order their first row appears, rows in theirs.
 * Only the keys become a table: rows stay as they are (groups can hold a million rows).
 */
export function groupRows<T>(rows: readonly T[], key: (row: T) => unknown): T[][] {
  if (!rows.length) return [];
  // groups().keys: each row's group index, numbered in order of first appearance.
  const {keys, size} = table({key: rows.map(key)})
    .groupby("key")
    .groups() as {keys: Uint32Array; size: number};
  const groups: T[][] = Array.from({length: size}, () => []);
  for (let i = 0; i < rows.length; i++) groups[keys[i]].push(rows[i]);
  return groups;
}

/** How many times each value occurs (groupby + count), in order of first appearance. */
export function countValues(values: readonly unknown[]): Map<unknown, number> {
  if (!values.length) return new Map();
  const counts = table({value: values}).groupby("value").count({as: "n"});
  return new Map(Array.from(counts.array("value"), (v, i) => [v, counts.get("n", i) as number]));
}

/**
 * For each label, which occurrence of it this is (1, 2, …) and how many there are (a count within
 * groupby): what tells apart two series that nothing printed distinguishes.
 */
export function occurrences(labels: readonly string[]): {nth: number; of: number}[] {
  const out = Array<{nth: number; of: number}>(labels.length);
  if (!labels.length) return out;
  for (const indices of table({label: labels}).groupby("label").partitions())
    indices.forEach((i, k) => (out[i] = {nth: k + 1, of: indices.length}));
  return out;
}

/**
 * For each row of each group, the first row of the same group and key that `isReference` accepts,
 * or undefined: a row's reference measurement of the same test (one lookup, a left join on group
 * and key, for all groups at once: arquero's per-call cost is paid once, not once a group).
 */
export function referencesWithin<T>(
  groups: readonly T[][],
  key: (row: T) => unknown,
  isReference: (row: T, group: number) => boolean
): (T | undefined)[][] {
  const rows = groups.flatMap((group, g) => group.map((row) => ({g, row, key: `${g}\u0000${String(key(row))}`})));
  const refs = rows.filter(({g, row}) => isReference(row, g));
  if (!refs.length) return groups.map((group) => group.map(() => undefined));
  const firsts = table({key: refs.map((r) => r.key), ref: refs.map((_, i) => i)}).dedupe("key");
  const found = table({key: rows.map((r) => r.key)})
    .lookup(firsts, "key", "ref")
    .array("ref");
  let next = 0;
  return groups.map((group) => group.map(() => refs[found[next++] as number]?.row));
}

/** The first row of each key, in order (dedupe): e.g. one row per run. */
export function firstRows<T>(rows: readonly T[], key: (row: T) => unknown): T[] {
  if (!rows.length) return [];
  const firsts = table({key: rows.map(key), i: rows.map((_, i) => i)}).dedupe("key");
  return Array.from(firsts.array("i"), (i) => rows[i as number]);
}
