/**
 * One spelling per test so results pair across tools and builds: `pp 512` → `pp512`, depth ` @ d<N>` (zero is
 * none), suffixes (` (c4)`, ` B8`) after one space; non-pp/tg names kept as printed.
 */
import type {Result} from "../../schema/schema.js";

const TEST = /^\s*(ctx_)?(pp|tg)\s*(\d+)?(?:\s*\+\s*tg\s*(\d+))?(?:\s*@\s*d\s*(\d+))?(?=\s|\(|$)(.*)$/i;

/** Give every result its test's one spelling, keeping a different printed one in `test_printed`. */
export function canonicalTests(results: Result[]): void {
  const seen = new Map<string, string>();
  for (const result of results) {
    let test = seen.get(result.test);
    if (test === undefined) seen.set(result.test, (test = canonicalTest(result.test)));
    if (test !== result.test) {
      result.test_printed ??= result.test;
      result.test = test;
    }
  }
}

function canonicalTest(test: string): string {
  const m = TEST.exec(test);
  if (!m) return test;
  const [, ctx, phase, size, gen, depth, rest] = m;
  let name = `${ctx ? "ctx_" : ""}${phase.toLowerCase()}${size ?? ""}`;
  if (gen !== undefined) name += `+tg${gen}`;
  if (depth !== undefined && Number(depth) !== 0) name += ` @ d${depth}`;
  const tail = rest.trim();
  return tail ? `${name} ${tail}` : name;
}

/** The test label llama-bench's Markdown printer would print for a JSON record. */
export function testName(n_prompt: number, n_gen: number, n_depth: number): string {
  const base =
    n_prompt > 0 && n_gen === 0
      ? `pp${n_prompt}`
      : n_gen > 0 && n_prompt === 0
        ? `tg${n_gen}`
        : `pp${n_prompt}+tg${n_gen}`;
  return n_depth > 0 ? `${base} @ d${n_depth}` : base;
}

export function testKind(n_prompt: number, n_gen: number): "pp" | "tg" | "pp+tg" {
  return n_gen === 0 ? "pp" : n_prompt === 0 ? "tg" : "pp+tg";
}
