/**
 * The order of a series' builds: by build number where every build has one
 * and no two share one (llama.cpp's is its commit count on master); else by the commit order of a
 * git repository the user names (`--git DIR`) where every commit is found
 * in it; else by when each build ran.
 */
import {execFileSync} from "node:child_process";

export type OrderBasis = "build_number" | "git" | "time";

export interface BuildOrder {
  /** Full commit hashes of a repository, oldest first (gitCommits). */
  git?: string[];
}

interface Orderable {
  build: string;
  build_commit: string | null;
  build_number: number | null;
  time: string | null;
}

/** The commits of `rev` in the repository at `dir`, oldest first (topological order). */
export function gitCommits(dir: string, rev = "HEAD"): string[] {
  const out = execFileSync("git", ["-C", dir, "rev-list", "--topo-order", "--reverse", rev], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024
  });
  return out.split("\n").filter(Boolean);
}

/** The place of each abbreviated commit in `commits` (a build commit is a prefix; `-dirty` is dropped); undefined when not found or ambiguous. */
function gitPlaces(commits: string[], wanted: string[]): Map<string, number> {
  const places = new Map<string, number>();
  const prefixes = new Map(wanted.map((w) => [w, w.replace(/-dirty$/, "").toLowerCase()]));
  const lengths = new Set([...prefixes.values()].map((p) => p.length));
  const byPrefix = new Map<string, number[]>();
  commits.forEach((hash, i) => {
    for (const n of lengths) {
      const list = byPrefix.get(hash.slice(0, n));
      if (list) list.push(i);
      else byPrefix.set(hash.slice(0, n), [i]);
    }
  });
  for (const [w, p] of prefixes) {
    const found = byPrefix.get(p);
    if (found?.length === 1) places.set(w, found[0]);
  }
  return places;
}

const cmp = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

export function orderPoints<P extends Orderable>(points: P[], order: BuildOrder): {basis: OrderBasis; points: P[]} {
  const byTime = (a: P, b: P) => cmp(a.time, b.time) || cmp(a.build, b.build);
  // Build numbers order builds only where they tell them apart: squashed release bundles (node-llama-cpp's) all say build 1.
  if (points.every((p) => p.build_number !== null) && new Set(points.map((p) => p.build_number)).size === points.length)
    return {
      basis: "build_number",
      points: [...points].sort((a, b) => a.build_number! - b.build_number! || byTime(a, b))
    };
  if (order.git && points.every((p) => p.build_commit)) {
    const places = gitPlaces(
      order.git,
      points.map((p) => p.build_commit!)
    );
    if (points.every((p) => places.has(p.build_commit!)))
      return {
        basis: "git",
        points: [...points].sort((a, b) => places.get(a.build_commit!)! - places.get(b.build_commit!)! || byTime(a, b))
      };
  }
  return {basis: "time", points: [...points].sort(byTime)};
}
