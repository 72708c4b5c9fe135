/**
 * Reading a plan file: YAML → validated Plan. Every error names the file,
 * the YAML line and the key path (`plan.yaml:12: matrix.-ub: …`), found
 * through the YAML nodes' source ranges.
 */
import {createHash} from "node:crypto";
import type {Document, Node} from "yaml";
import {isMap, isPair, isScalar, isSeq, LineCounter, parseDocument} from "yaml";
import type {z} from "zod";
import {Plan} from "./runners/index.js";

export type KeyPath = readonly (string | number)[];

export interface PlanIssue {
  line: number;
  path: KeyPath;
  message: string;
}

/** A plan that cannot run: every problem found, each with its line and key path. */
export class PlanError extends Error {
  constructor(
    readonly file: string,
    readonly issues: PlanIssue[]
  ) {
    super(
      issues.map((i) => `${file}:${i.line}: ${i.path.length ? `${formatPath(i.path)}: ` : ""}${i.message}`).join("\n")
    );
    this.name = "PlanError";
  }
}

export function formatPath(path: KeyPath): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

export interface LoadedPlan {
  plan: Plan;
  /** File name as given, for messages. */
  file: string;
  text: string;
  /** sha256 of the plan file's bytes. */
  sha256: string;
  /** Where each key path sits in the file, for errors found after validation (expansion). */
  lineOf(path: KeyPath): number;
}

/** Parse and validate a plan; throws PlanError naming every problem. */
export function readPlan(text: string, file: string): LoadedPlan {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {lineCounter, uniqueKeys: true});
  if (doc.errors.length) {
    throw new PlanError(
      file,
      doc.errors.map((e) => ({
        line: e.linePos?.[0].line ?? 1,
        path: [],
        message: `YAML: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`
      }))
    );
  }
  const lineOf = (path: KeyPath) => lineAt(doc, lineCounter, path);
  let data: unknown;
  try {
    data = doc.toJS({maxAliasCount: 100});
  } catch (error) {
    // An alias bomb: yaml refuses to expand aliases past its count limit.
    if (!(error instanceof ReferenceError)) throw error;
    throw new PlanError(file, [{line: 1, path: [], message: `YAML: ${error.message} (aliases expand to too much)`}]);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data))
    throw new PlanError(file, [{line: 1, path: [], message: "expected a YAML mapping (name: …, runner: …)"}]);
  const parsed = Plan.safeParse(data);
  if (!parsed.success) throw new PlanError(file, issuesOf(parsed.error, doc, lineCounter));
  return {plan: parsed.data, file, text, sha256: createHash("sha256").update(text).digest("hex"), lineOf};
}

function issuesOf(error: z.ZodError, doc: Document, lineCounter: LineCounter): PlanIssue[] {
  const issues: PlanIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        issues.push({
          line: lineAt(doc, lineCounter, [...path, key]),
          path: [...path, key],
          message: `unknown key (see docs/bench.md for the keys a plan takes)`
        });
      continue;
    }
    issues.push({line: lineAt(doc, lineCounter, path), path, message: issue.message});
  }
  return issues.sort((a, b) => a.line - b.line);
}

/** The line of the node at `path`, or of its nearest existing ancestor (a missing key is reported where its parent is). */
function lineAt(doc: Document, lineCounter: LineCounter, path: KeyPath): number {
  let node: unknown = doc.contents;
  let line = rangeLine(node, lineCounter) ?? 1;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment)
      );
      if (!pair) break;
      // Point at the key: a value may start on a later line (a nested mapping).
      line = rangeLine(pair.key, lineCounter) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number" && node.items[segment] !== undefined) {
      node = node.items[segment];
      line = rangeLine(node, lineCounter) ?? line;
    } else break;
  }
  return line;
}

function rangeLine(node: unknown, lineCounter: LineCounter): number | null {
  const range = (node as Node | null)?.range;
  return range ? lineCounter.linePos(range[0]).line : null;
}
