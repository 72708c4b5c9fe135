/**
 * Every input format benchbook reads. Adding a tool = adding its format
 * module and listing it here; detection is by content, in this order when two
 * formats claim the same lines with the same confidence.
 */
import {benchbookEndpointJson} from "./benchbook/endpoint-json.js";
import {handObservationsCsv} from "./hand/observations-csv.js";
import {handObservationsYaml} from "./hand/observations.js";
import {llamaBenchCsv} from "./llama-bench/csv.js";
import {llamaBenchJson} from "./llama-bench/json.js";
import {llamaBenchJsonl} from "./llama-bench/jsonl.js";
import {llamaBenchMd} from "./llama-bench/md.js";
import {llamaBenchSql} from "./llama-bench/sql.js";
import {llamaBatchedBenchJsonl} from "./llama-batched-bench/jsonl.js";
import {llamaBatchedBenchMd} from "./llama-batched-bench/md.js";
import {llamaBenchyCsv} from "./llama-benchy/csv.js";
import {llamaBenchyJson} from "./llama-benchy/json.js";
import {llamaBenchyMd} from "./llama-benchy/md.js";
import {mlxLmBenchmark} from "./mlx/benchmark.js";
import {llamaServerLog} from "./llama-server/timing-log.js";
import {llamaServerTimingsJson} from "./llama-server/timings-json.js";
import {sglangLog} from "./logs/sglang-log.js";
import {sglangBenchOneBatchJsonl, sglangBenchOneBatchText} from "./sglang/bench-one-batch.js";
import {sglangBenchServingJsonl} from "./sglang/bench-serving-jsonl.js";
import {sglangBenchServingText} from "./sglang/bench-serving-text.js";
import {vllmLogSummary} from "./logs/vllm-log-summary.js";
import {vllmLog} from "./logs/vllm-log.js";
import {nvidiaSmiTable} from "./nvidia-smi/table.js";
import {nvidiaSmiCsv} from "./nvidia-smi/query-csv.js";
import type {Format} from "./types.js";
import {vllmServeJson} from "./vllm/serve-json.js";
import {vllmServeText} from "./vllm/serve-text.js";
import {vllmServingLegacy} from "./vllm/serving-legacy.js";

// benchbook-endpoint-json first: its request lines hold keys (`"n_prompt"`) that line-based JSON scanners would claim.
export const FORMATS: readonly Format[] = [benchbookEndpointJson, llamaBenchMd, llamaBenchJsonl, llamaBenchJson, llamaBenchCsv, llamaBenchSql, mlxLmBenchmark, llamaBatchedBenchMd, llamaBatchedBenchJsonl, handObservationsYaml, handObservationsCsv, llamaBenchyMd, llamaBenchyJson, llamaBenchyCsv, vllmServeText, vllmServingLegacy, vllmServeJson, sglangBenchServingText, sglangBenchServingJsonl, sglangBenchOneBatchText, sglangBenchOneBatchJsonl, vllmLog, vllmLogSummary, sglangLog, llamaServerLog, llamaServerTimingsJson, nvidiaSmiTable, nvidiaSmiCsv];

export function formatById(id: string): Format | undefined {
  return FORMATS.find((format) => format.id === id);
}
