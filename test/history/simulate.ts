/**
 * How often history's change detection finds a known step and how often it
 * flags noise, on synthetic series (the figures in docs/history.md):
 *   node --import tsx test/history/simulate.ts [draws]
 */
import {analyse} from "../../scripts/history/changes.js";
import type {Series} from "../../scripts/history/series.js";
import {normal} from "./llama-bench-builds.js";

function series(seed: number, level: (i: number) => number, between: number, k = 12, n = 5, cv = 0.01): Series {
  const draw = normal(seed);
  const points = Array.from({length: k}, (_, i) => {
    const centre = level(i) * (1 + between * draw());
    const xs = Array.from({length: n}, () => centre * (1 + cv * draw()));
    const mean = xs.reduce((a, x) => a + x, 0) / n;
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
    return {
      build: `b${i}`,
      build_commit: null,
      build_number: i,
      tool_version: null,
      time: null,
      rows: 1,
      run_ids: [],
      sources: [],
      mean,
      sd,
      n
    };
  });
  return {id: "", key: {}, better: "higher", order: "build_number", points};
}

const draws = Number(process.argv[2] ?? 300);
for (const between of [0, 0.01]) {
  const count = {noiseFlagged: 0, stepFound: 0, stepAlone: 0, newestFound: 0};
  for (let seed = 1; seed <= draws; seed++) {
    if (analyse(series(seed, () => 100, between)).changes.length) count.noiseFlagged++;
    const step = analyse(series(seed + 100000, (i) => (i >= 6 ? 96 : 100), between)).changes;
    if (step.some((c) => c.index === 6)) count.stepFound++;
    if (step.length === 1 && step[0].index === 6) count.stepAlone++;
    if (analyse(series(seed + 200000, (i) => (i >= 11 ? 96 : 100), between)).changes.some((c) => c.index === 11))
      count.newestFound++;
  }
  console.log(
    `12 builds × 5 repetitions, 1% per repetition${between ? `, ${between * 100}% between builds` : ""}, ${draws} draws each:`,
    count
  );
}
