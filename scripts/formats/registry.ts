/**
 * Every input format benchbook reads, one line each. Detection is by content,
 * in this order when two formats claim the same lines with the same confidence.
 */
import {benchbookEndpointJson} from "./benchbook/endpoint-json.js";
import {handObservationsCsv} from "./hand/observations-csv.js";
import {handObservationsYaml} from "./hand/observations.js";
import {llamaBatchedBenchJsonl} from "./llama-batched-bench/jsonl.js";
import {llamaBatchedBenchMd} from "./llama-batched-bench/md.js";
import {llamaBenchCsv} from "./llama-bench/csv.js";
import {llamaBenchJson} from "./llama-bench/json.js";
import {llamaBenchJsonl} from "./llama-bench/jsonl.js";
import {llamaBenchMd} from "./llama-bench/md.js";
import {llamaBenchSql} from "./llama-bench/sql.js";
import {llamaBenchyCsv} from "./llama-benchy/csv.js";
import {llamaBenchyJson} from "./llama-benchy/json.js";
import {llamaBenchyMd} from "./llama-benchy/md.js";
import {llamaServerLog} from "./llama-server/timing-log.js";
import {llamaServerTimingsJson} from "./llama-server/timings-json.js";
import {mlxLmBenchmark} from "./mlx/benchmark.js";
import {nvidiaSmiCsv} from "./nvidia-smi/query-csv.js";
import {nvidiaSmiTable} from "./nvidia-smi/table.js";
import {sglangBenchOneBatchJsonl} from "./sglang/bench-one-batch-jsonl.js";
import {sglangBenchOneBatchText} from "./sglang/bench-one-batch-text.js";
import {sglangBenchServingJsonl} from "./sglang/bench-serving-jsonl.js";
import {sglangBenchServingText} from "./sglang/bench-serving-text.js";
import {sglangLog} from "./sglang/log.js";
import type {Format} from "./types.js";
import {vllmLogSummary} from "./vllm/log-summary.js";
import {vllmLog} from "./vllm/log.js";
import {vllmServeJson} from "./vllm/serve-json.js";
import {vllmServeText} from "./vllm/serve-text.js";
import {vllmServingLegacy} from "./vllm/serving-legacy.js";

export const FORMATS: readonly Format[] = [
  benchbookEndpointJson, // first: its request lines hold keys (`"n_prompt"`) that line-based JSON scanners would claim
  llamaBenchMd,
  llamaBenchJsonl,
  llamaBenchJson,
  llamaBenchCsv,
  llamaBenchSql,
  mlxLmBenchmark,
  llamaBatchedBenchMd,
  llamaBatchedBenchJsonl,
  handObservationsYaml,
  handObservationsCsv,
  llamaBenchyMd,
  llamaBenchyJson,
  llamaBenchyCsv,
  vllmServeText,
  vllmServingLegacy,
  vllmServeJson,
  sglangBenchServingText,
  sglangBenchServingJsonl,
  sglangBenchOneBatchText,
  sglangBenchOneBatchJsonl,
  vllmLog,
  vllmLogSummary,
  sglangLog,
  llamaServerLog,
  llamaServerTimingsJson,
  nvidiaSmiTable,
  nvidiaSmiCsv
];

export function formatById(id: string): Format | undefined {
  return FORMATS.find((format) => format.id === id);
}
