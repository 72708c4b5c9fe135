/**
 * `benchbook compare` selectors: a run id (or its prefix), or `key=value[,key=value…]` clauses over row
 * columns, `tag.NAME` and `setting.NAME` (docs/compare.md). A comma starts a clause only before `key=`, so
 * `tensor_split=0.48,0.52` stays one value.
 */
import {COLUMNS} from "../schema/row.js";
import type {Row} from "../schema/row.js";

export interface Clause {
  key: string;
  negate: boolean;
  values: string[];
}

export type Selector = {kind: "run"; id: string; text: string} | {kind: "where"; clauses: Clause[]; text: string};

export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelectorError";
  }
}

const COLUMN_NAMES = new Set<string>(COLUMNS.map((c) => c.name));

/** The value a selector key reads from a row, as text (null when absent). */
export function keyValue(row: Row, key: string): string | null {
  let value: unknown;
  if (key.startsWith("tag.") || key.startsWith("tag:"))
    value = (row.tags as Record<string, unknown> | null | undefined)?.[key.slice(4)];
  else if (key.startsWith("setting.") || key.startsWith("settings."))
    value = (row.settings as Record<string, unknown> | null | undefined)?.[key.slice(key.indexOf(".") + 1)];
  else value = row[key];
  if (value === null || value === undefined || value === "") return null;
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function checkKey(key: string): void {
  if (/^(tag[.:]|settings?\.)./.test(key)) return;
  if (!COLUMN_NAMES.has(key)) {
    throw new SelectorError(
      `unknown column "${key}" (use a column of docs/schema.md's flat row, tag.NAME or setting.NAME)`
    );
  }
}

export function parseSelector(text: string): Selector {
  const trimmed = text.trim();
  if (!trimmed) throw new SelectorError("empty selector");
  if (!trimmed.includes("=")) return {kind: "run", id: trimmed, text: trimmed};
  const clauses: Clause[] = [];
  for (const part of trimmed.split(/,(?=\s*[A-Za-z_][\w.:-]*\s*!?=)/)) {
    const match = /^\s*([A-Za-z_][\w.:-]*)\s*(!?=)(.*)$/.exec(part);
    if (!match) throw new SelectorError(`cannot read "${part}": expected key=value`);
    const [, key, op, value] = match;
    checkKey(key);
    clauses.push({key, negate: op === "!=", values: value.split("|").map((v) => v.trim())});
  }
  return {kind: "where", clauses, text: trimmed};
}

function clauseHolds(row: Row, clause: Clause): boolean {
  const value = keyValue(row, clause.key) ?? "";
  const hit = clause.values.includes(value);
  return clause.negate ? !hit : hit;
}

/** The rows a selector picks, in store order. */
export function selectRows(rows: Row[], selector: Selector): Row[] {
  if (selector.kind === "run") {
    const exact = rows.filter((r) => r.run_id === selector.id);
    return exact.length ? exact : rows.filter((r) => String(r.run_id).startsWith(selector.id));
  }
  return rows.filter((row) => selector.clauses.every((c) => clauseHolds(row, c)));
}
