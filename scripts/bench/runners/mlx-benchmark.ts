/**
 * `mlx_lm.benchmark …`: it writes no file; its `Trial i: …` and `Averages: …`
 * lines on stdout are the run's source (format mlx-lm-benchmark).
 */
import {wrapperRunner} from "./wrapper.js";

export const mlxBenchmarkRunner = wrapperRunner({
  kind: "mlx-benchmark",
  resultArgs: null,
  resultFormat: null,
  stdoutFormat: "mlx-lm-benchmark"
});
