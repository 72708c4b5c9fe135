/**
 * The runtime table (scripts/context/runtimes.ts) is the one list of
 * runtimes: server detection, model options and the site's display order
 * all come from it.
 */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {isServerCommand, parseCommandLine, serverArguments} from "../../scripts/context/command.js";
import {RUNTIME_IDS, RUNTIMES, runtimeByOwner, serverRuntime} from "../../scripts/context/runtimes.js";
import {recordedEnv} from "../../scripts/bench/runners/process.js";
import type {Cell, RunnerContext} from "../../scripts/bench/types.js";
import {RUNTIME_ORDER} from "../../src/components/shared/chart.js";

const command = (text: string) => {
  const parsed = parseCommandLine(text, 1);
  assert.ok(parsed, text);
  return parsed;
};

describe("runtime table", () => {
  it("the site's runtime order is the table's", () => {
    assert.deepEqual([...RUNTIME_ORDER], [...RUNTIME_IDS]);
  });

  it("finds each runtime's server and the model it serves, whatever option or position names it", () => {
    const cases: [string, string, string | null, Record<string, string[]>][] = [
      [
        "llama-server -m /models/Qwen3-8B-Q4_K_M.gguf -c 8192 -ngl 99",
        "llama.cpp",
        "/models/Qwen3-8B-Q4_K_M.gguf",
        {"-c": ["8192"], "-ngl": ["99"]}
      ],
      [
        "llama-server -hf unsloth/Qwen3-8B-GGUF:Q4_K_M --port 8080",
        "llama.cpp",
        "unsloth/Qwen3-8B-GGUF:Q4_K_M",
        {"--port": ["8080"]}
      ],
      ["vllm serve Qwen/Qwen3-8B --max-model-len 8192", "vllm", "Qwen/Qwen3-8B", {"--max-model-len": ["8192"]}],
      [
        "python -m vllm.entrypoints.openai.api_server --model Qwen/Qwen3-8B --tensor-parallel-size 2",
        "vllm",
        "Qwen/Qwen3-8B",
        {"--tensor-parallel-size": ["2"]}
      ],
      ["python -m sglang.launch_server --model-path Qwen/Qwen3-8B --tp 2", "sglang", "Qwen/Qwen3-8B", {"--tp": ["2"]}],
      [
        "mlx_lm.server --model mlx-community/Qwen3-8B-4bit --port 8080",
        "mlx",
        "mlx-community/Qwen3-8B-4bit",
        {"--port": ["8080"]}
      ],
      ["mlx_lm server --model mlx-community/Qwen3-8B-4bit", "mlx", "mlx-community/Qwen3-8B-4bit", {}],
      ["lms load qwen/qwen3-8b --context-length 8192", "lmstudio", "qwen/qwen3-8b", {"--context-length": ["8192"]}],
      ["lms server start --port 1234", "lmstudio", null, {"--port": ["1234"]}]
    ];
    for (const [text, runtime, model, options] of cases) {
      const c = command(text);
      assert.equal(isServerCommand(c), true, text);
      assert.equal(serverRuntime(c)?.runtime.id, runtime, text);
      const args = serverArguments(c)!;
      assert.equal(args.model, model, text);
      assert.deepEqual(Object.fromEntries(args.options), options, text);
    }
  });

  it("benchmark clients are commands but not servers", () => {
    for (const text of [
      "llama-bench -m a.gguf -p 512",
      "vllm bench serve --model Qwen/Qwen3-8B",
      "python -m sglang.bench_serving --backend sglang",
      "mlx_lm.benchmark --model mlx-community/Qwen3-8B-4bit",
      "uvx llama-benchy --base-url http://127.0.0.1:8080"
    ]) {
      assert.equal(isServerCommand(command(text)), false, text);
    }
  });

  it("each runtime's environment prefixes are recorded with a capture, and other variables are not", () => {
    const env: Record<string, string> = {HOME: "/home/a", UNRELATED_FLAG: "1"};
    for (const runtime of RUNTIMES) for (const prefix of runtime.envPrefixes) env[`${prefix}TEST_KNOB`] = runtime.id;
    const cell = {env: {}} as unknown as Cell;
    const recorded = recordedEnv(cell, {env} as unknown as RunnerContext);
    assert.deepEqual(
      Object.keys(recorded).sort(),
      RUNTIMES.flatMap((r) => r.envPrefixes.map((p) => `${p}TEST_KNOB`)).sort()
    );
  });

  it("names the runtime behind an endpoint by the owned_by of its /models", () => {
    for (const runtime of RUNTIMES) if (runtime.ownedBy) assert.equal(runtimeByOwner(runtime.ownedBy)?.id, runtime.id);
    assert.equal(runtimeByOwner("someone-else"), null);
  });
});
