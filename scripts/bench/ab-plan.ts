/**
 * A/B plans (docs/bench.md, "A/B runs"): the `ab:` section names what differs (two binaries and/or two
 * setting values). Each cell becomes a pair whose invocations alternate A B A B …, so drift falls on both sides.
 */
import {createHash} from "node:crypto";
import {z} from "zod";
import type {LlamaBenchParam} from "./llama-bench-options.js";
import {expandParamValues, llamaBenchParam, RangeError, TEST_PARAMS} from "./llama-bench-options.js";
import type {KeyPath} from "./plan-file.js";
import type {LlamaBenchPlan} from "./plan-schema.js";
import type {Cell} from "./types.js";

export const DEFAULT_ROUNDS = 5;

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

/**
 * `ab:` — `rounds` (A B pairs, default 5), `labels` (default A, B), `binary`
 * (two programs: a YAML list, or `a,b`), and any llama-bench setting with
 * exactly two values (`t: 1,2`, `-ub: [256, 512]`). Checked against
 * llama-bench's parameters when the plan is expanded (abSides).
 */
export const AbSection = z
  .object({
    rounds: z
      .number()
      .int()
      .min(2, "expected at least 2 rounds (one run per side gives no spread to test with)")
      .default(DEFAULT_ROUNDS),
    labels: z.tuple([z.string().min(1), z.string().min(1)], {error: "expected two labels: [A, B]"}).optional(),
    binary: z
      .union([z.string().min(1), z.tuple([z.string().min(1), z.string().min(1)])], {
        error: "expected two programs: [path/to/A/llama-bench, path/to/B/llama-bench]"
      })
      .optional()
  })
  .catchall(
    z.union([Scalar, z.array(Scalar).min(1)], {error: "expected two values: a llama-bench list (1,2) or a YAML list"})
  );

export type AbSection = z.output<typeof AbSection>;

/** One side: its label, its program (null: the plan's) and its value of each setting that differs. */
export interface AbSide {
  side: "A" | "B";
  label: string;
  binary: string[] | null;
  /** Matrix key as written in the plan → this side's value. */
  settings: Record<string, string>;
}

export interface AbProblem {
  path: (string | number)[];
  message: string;
}

/** The two sides of an `ab:` section, or the problems that prevent them (paths relative to the plan). */
export function abSides(
  ab: AbSection,
  matrix: Record<string, unknown>
): {sides: [AbSide, AbSide] | null; problems: AbProblem[]} {
  const problems: AbProblem[] = [];
  const settings: [Record<string, string>, Record<string, string>] = [{}, {}];
  const described: [string[], string[]] = [[], []];
  const fields = new Set<string>();
  const {rounds: _rounds, labels, binary, ...rest} = ab;
  for (const [key, value] of Object.entries(rest)) {
    const path = ["ab", key];
    const param = llamaBenchParam(key);
    if (!param || TEST_PARAMS.includes(param)) {
      problems.push({
        path,
        message: param
          ? `${key} is a test: A/B runs compare builds or settings on the same tests`
          : `unknown llama-bench setting "${key}" (an A/B side differs by binary: or by settings)`
      });
      continue;
    }
    if (fields.has(param.field) || Object.keys(matrix).some((k) => llamaBenchParam(k)?.field === param.field)) {
      problems.push({
        path,
        message: `${param.field} is set twice (in matrix: or another key of ab:); an A/B setting takes its two values from ab: only`
      });
      continue;
    }
    fields.add(param.field);
    const values = twoValues(param, value);
    if (typeof values === "string") problems.push({path, message: values});
    else
      values.forEach((v, i) => {
        settings[i][key] = v;
        described[i].push(`${param.short ?? param.long} ${v}`);
      });
  }
  const binaries = binary === undefined ? null : typeof binary === "string" ? binary.split(",") : binary;
  if (binaries && (binaries.length !== 2 || binaries.some((b) => b === "")))
    problems.push({
      path: ["ab", "binary"],
      message: `expected two programs (A and B), found ${binaries.length}: "${String(binary)}"`
    });
  if (!binaries && fields.size === 0)
    problems.push({
      path: ["ab"],
      message: "expected what differs between A and B: binary: [A, B] and/or a setting with two values (t: 1,2)"
    });
  if (problems.length) return {sides: null, problems};
  const side = (i: 0 | 1): AbSide => ({
    side: i === 0 ? "A" : "B",
    label: labels?.[i] ?? [...(binaries ? [binaries[i]] : []), ...described[i]].join(" "),
    binary: binaries ? [binaries[i]] : null,
    settings: settings[i]
  });
  return {sides: [side(0), side(1)], problems};
}

/** A setting's two values, read as llama-bench reads a list; or why they are not two. */
export function twoValues(param: LlamaBenchParam, value: unknown): [string, string] | string {
  let values: string[];
  try {
    values = expandParamValues(param, value);
  } catch (error) {
    if (error instanceof RangeError) return error.message;
    throw error;
  }
  if (values.length !== 2) return `expected two values (A and B), found ${values.length}: "${values.join(",")}"`;
  if (values[0] === values[1]) return `A and B are the same value (${values[0]})`;
  return [values[0], values[1]];
}

/**
 * An A/B plan's cells: the plan expanded once per side (`expand`, the plain
 * llama-bench expansion; its problems are reported through `fail`), then
 * interleaved. Each invocation runs `repetitions` (default 1) measured runs
 * after llama-bench's warm-up run.
 */
export function abCells(
  plan: LlamaBenchPlan & {ab: AbSection},
  expand: (plan: LlamaBenchPlan, fail: Fail) => Cell[],
  fail: Fail
): Cell[] {
  if (!plan.warmup)
    fail(
      ["warmup"],
      "an A/B run warms up before every invocation (the first run after switching builds or settings pays for loading); remove warmup: false"
    );
  const {sides, problems} = abSides(plan.ab, plan.matrix);
  for (const problem of problems) fail(problem.path, problem.message);
  if (!sides) return [];
  const sidePlan = (side: AbSide): LlamaBenchPlan => ({
    ...plan,
    repetitions: plan.repetitions ?? 1,
    binary: side.binary ?? plan.binary,
    matrix: {...plan.matrix, ...side.settings}
  });
  // The sides differ only in the values abSides has checked: report the rest of the plan's problems once.
  const a = expand(sidePlan(sides[0]), fail);
  const b = expand(sidePlan(sides[1]), () => {});
  const count = a.length * 2 * plan.ab.rounds;
  if (count > plan.max_cells) {
    fail(
      ["ab", "rounds"],
      `the plan expands to ${count.toLocaleString("en-US")} invocations (${a.length} pairs × 2 sides × ${plan.ab.rounds} rounds), more than max_cells (${plan.max_cells})`
    );
    return [];
  }
  return interleave(a, b, sides, plan.ab.rounds);
}

type Fail = (path: KeyPath, message: string) => void;

/** What an A/B cell carries in `params.ab`. */
export interface AbCellParams {
  /** Shared by the rounds of both sides of one pair. */
  pair: string;
  /** The pair's cell label (model, settings that vary, depth). */
  pair_label: string;
  side: "A" | "B";
  label: string;
  round: number;
  rounds: number;
}

/**
 * The rounds of each pair, interleaved: pair 1 A#1 B#1 A#2 B#2 …, then pair 2.
 * `a` and `b` are the plan's cells expanded once per side (same order).
 * A round's id is its side's cell id and its round number: more rounds with
 * `--resume` runs only the new ones.
 */
export function interleave(a: Cell[], b: Cell[], sides: [AbSide, AbSide], rounds: number): Cell[] {
  const out: Cell[] = [];
  a.forEach((cellA, i) => {
    const cellB = b[i];
    const pair = hash({a: cellA.id, b: cellB.id});
    for (let round = 1; round <= rounds; round++) {
      for (const [cell, side] of [
        [cellA, sides[0]],
        [cellB, sides[1]]
      ] as const) {
        const ab: AbCellParams = {pair, pair_label: cellA.label, side: side.side, label: side.label, round, rounds};
        out.push({
          ...cell,
          id: hash({cell: cell.id, round}),
          label: `${cell.label} · ${side.side} ${side.label} · ${round}/${rounds}`,
          params: {...cell.params, ab},
          tags: {...cell.tags, ab_pair: pair, ab_side: side.side}
        });
      }
    }
  });
  return out;
}

function hash(value: {[key: string]: string | number}): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}
