/** `--fail-on` conditions: `regression>=3%`, `improvement>10%`, `change`, comma-separated (any one triggers). */
import {magnitude} from "./direction.js";
import type {FlaggedChange} from "./history.js";

export interface FailOn {
  kind: "regression" | "improvement" | "change";
  op: ">=" | ">";
  /** Threshold as a fraction (3% → 0.03). */
  size: number;
  text: string;
}

export class FailOnError extends Error {}

export function parseFailOn(text: string): FailOn[] {
  const clauses = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!clauses.length) throw new FailOnError("--fail-on: empty condition (e.g. 'regression>=3%')");
  return clauses.map((clause) => {
    const m = /^(regression|improvement|change)(?:\s*(>=|>)\s*(\d+(?:\.\d+)?)\s*%)?$/i.exec(clause);
    if (!m)
      throw new FailOnError(
        `--fail-on: cannot read "${clause}": expected regression|improvement|change, optionally followed by >= or > and a percentage (e.g. 'regression>=3%')`
      );
    return {
      kind: m[1].toLowerCase() as FailOn["kind"],
      op: (m[2] ?? ">=") as FailOn["op"],
      size: m[3] === undefined ? 0 : Number(m[3]) / 100,
      text: clause
    };
  });
}

/** The first condition a change meets, or null. */
export function triggered(change: FlaggedChange, conditions: FailOn[]): FailOn | null {
  // Sizes compared in percent rounded to 1e-9, so that a ratio of 0.97 is a 3% change and not 2.9999999%.
  const size = Math.round(magnitude(change.ratio) * 1e11) / 1e9;
  return (
    conditions.find((c) => {
      if (c.kind !== "change" && c.kind !== change.direction) return false;
      const limit = c.size * 100;
      return c.op === ">=" ? size >= limit : size > limit;
    }) ?? null
  );
}
