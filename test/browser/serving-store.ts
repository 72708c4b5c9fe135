/**
 * A store for the serving, speculative-decoding, run and explorer page tests:
 * real outputs from test/fixtures (vLLM and SGLang serving blocks with
 * percentiles and per-request rows, server-log time series with acceptance,
 * KV pool sizes, seed 003's hand-entered figures).
 */
import {importInputs} from "../../scripts/import/import.js";
import {toRow, type Row} from "../../scripts/schema/row.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {fixtureText} from "../helpers/fixtures.js";

export const SERVING_FIXTURES: {file: string; tags: Record<string, string>}[] = [
  {file: "seeds/000-4x3080-split.txt", tags: {writeup: "4x3080-layer-vs-tensor"}},
  {file: "vllm/save-detailed.json", tags: {}},
  {file: "vllm/spec-decode-percentiles.txt", tags: {}},
  {file: "sglang/bench-serving-accept-length.txt", tags: {}},
  {file: "logs/seed-003-vllm-digest.txt", tags: {writeup: "rtx-pro-6000-vllm-sglang"}},
  {file: "logs/sglang-mtp-accept.md", tags: {}},
  {file: "logs/vllm-v1-spec-club3090-986.log", tags: {}},
  {file: "site/sglang-kv-dtype.txt", tags: {writeup: "rtx-pro-6000-vllm-sglang"}},
  {file: "seeds/003-rtx-pro-6000-vllm-sglang.yaml", tags: {writeup: "rtx-pro-6000-vllm-sglang"}}
];

export function servingStore(): Store {
  const store = new Store(tempDir("benchbook-serving-store-"));
  for (const {file, tags} of SERVING_FIXTURES) {
    const [outcome] = importInputs([{name: file, bytes: Buffer.from(fixtureText(file))}], {store, tags});
    if (outcome.status === "failed") throw new Error(`${file}: ${JSON.stringify(outcome)}`);
  }
  return store;
}

/** The flat rows of a store, as the site's Parquet holds them (objects as objects). */
export function storeRows(store: Store): Row[] {
  return [...store.readAll()].flatMap((input) =>
    input.runs.flatMap((run) => run.results.map((r) => toRow(run, r, false)))
  );
}
