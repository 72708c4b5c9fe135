/** `mlx_lm.benchmark …`: it writes no file; its `Trial i: …` and `Averages: …` lines on stdout are the run's source. */
import {num} from "../cells.js";
import {testName} from "../../formats/shared/test-name.js";
import {wrapperRunner} from "./wrapper.js";

export const mlxBenchmarkRunner = wrapperRunner({
  id: "mlx-benchmark",
  tool: "mlx_lm.benchmark",
  runtime: "mlx",
  binary: ["mlx_lm.benchmark"],
  version: () => null,
  reserved: {},
  modelOption: "--model",
  repetitionOption: "--num-trials",
  expected: (o) => {
    // mlx_lm.benchmark defaults: -p 512, -g 1024 (mlx_lm/benchmark.py). As the mlx-lm-benchmark
    // format names them: prompt_tps is pp<p>, generation_tps tg<g> at depth <p> (it generates after the prompt).
    const p = num(o["--prompt-tokens"] ?? o["-p"]) ?? 512;
    const g = num(o["--generation-tokens"] ?? o["-g"]) ?? 1024;
    const batch = num(o["--batch-size"] ?? o["-b"]);
    return [
      {
        test: testName(p, 0, 0),
        kind: "pp",
        n_prompt: p,
        n_gen: 0,
        n_depth: 0,
        concurrency: batch,
        metric: "throughput",
        unit: "tok/s",
        stat: "mean"
      },
      {
        test: testName(0, g, p),
        kind: "tg",
        n_prompt: 0,
        n_gen: g,
        n_depth: p,
        concurrency: batch,
        metric: "throughput",
        unit: "tok/s",
        stat: "mean"
      }
    ];
  },
  resultArgs: null,
  formats: {result: null, stdout: "mlx-lm-benchmark"}
});
