import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {describe, it} from "node:test";
import {fileURLToPath} from "node:url";
import type {EndpointCellParams} from "../../scripts/bench/plan.js";
import {expandPlan, PlanError, readPlan} from "../../scripts/bench/plan.js";

const DOCS = fileURLToPath(new URL("../../docs/plans/", import.meta.url));
const docPlan = (name: string) => readPlan(readFileSync(DOCS + name, "utf8"), name);

/** The PlanError a plan text raises, as [line, message] pairs. */
function problems(text: string, env: NodeJS.ProcessEnv = {}): [number, string][] {
  try {
    expandPlan(readPlan(text, "plan.yaml"), {env});
  } catch (error) {
    if (error instanceof PlanError) return error.issues.map((i) => [i.line, `${i.path.join(".")}: ${i.message}`]);
    throw error;
  }
  assert.fail("expected the plan to be refused");
}

describe("plan validation: errors name the line and the key", () => {
  it("names an unknown key, a wrong type and a bad range with their lines", () => {
    const text = [
      "name: x",
      "runner: llama-bench",
      "models: [a.gguf]",
      "matrix:",
      "  -ub: 128-512*1",
      "tests:",
      "  d: [0, x]",
      "  q: 1",
      "timeout_s: soon"
    ].join("\n");
    const found = problems(text);
    assert.deepEqual(
      found.map(([line]) => line),
      [7, 8, 9]
    );
    assert.match(found[0][1], /^tests\.d: .*invalid range format at "x"/);
    assert.match(found[1][1], /^tests\.q: unknown key/);
    assert.match(found[2][1], /^timeout_s: .*number/);
  });

  it("checks llama-bench parameters after the schema: unknown names, reserved options, values", () => {
    const text = [
      "name: x",
      "runner: llama-bench",
      "models: [a.gguf]",
      "matrix:",
      "  -ub: 128-512*1",
      "  --frobnicate: 2",
      "  -o: md",
      "  -d: 0",
      "  nkvo: 2",
      "args: [-r, '3']"
    ].join("\n");
    const found = problems(text);
    assert.deepEqual(
      found.map(([line, message]) => [line, message.split(":")[0]]),
      [
        [5, "matrix.-ub"],
        [6, "matrix.--frobnicate"],
        [7, "matrix.-o"],
        [8, "matrix.-d"],
        [9, "matrix.nkvo"],
        [10, "args.0"]
      ]
    );
    assert.match(found[0][1], /invalid range: "128-512\*1" does not grow/);
    assert.match(found[1][1], /unknown llama-bench parameter/);
    assert.match(found[2][1], /-o jsonl/);
    assert.match(found[3][1], /put it under tests/);
    assert.match(found[5][1], /repetitions/);
  });

  it("refuses an unknown runner, YAML syntax errors and duplicate keys", () => {
    assert.deepEqual(problems("name: x\nrunner: llama-bnech\n"), [
      [
        2,
        "runner: expected runner: one of llama-bench, endpoint, vllm-bench-serve, sglang-bench-serving, mlx-benchmark"
      ]
    ]);
    assert.equal(problems("name: x\nrunner: llama-bench\nmatrix:\n  ub: [1,\n")[0][0] >= 4, true);
    assert.deepEqual(problems("name: x\nrunner: llama-bench\nname: y\n"), [[3, ": YAML: Map keys must be unique"]]);
  });

  it("refuses secrets written in a plan, and pass_env names that are not set", () => {
    const text = [
      "name: x",
      "runner: llama-bench",
      "models: [a.gguf]",
      "env:",
      "  HF_TOKEN: hf_abcdefghijklmnopqrstuvwxyz",
      "  CUDA_VISIBLE_DEVICES: 0"
    ].join("\n");
    const [[line, message]] = problems(text);
    assert.equal(line, 5);
    assert.match(message, /env\.HF_TOKEN: HF_TOKEN looks like a secret.*pass_env/);
    assert.deepEqual(
      problems(["name: x", "runner: llama-bench", "models: [a.gguf]", "pass_env: [MY_TOKEN]"].join("\n")),
      [[4, "pass_env.0: MY_TOKEN is not set in your environment"]]
    );
  });

  it("checks the endpoint section", () => {
    const found = problems(
      ["name: x", "runner: endpoint", "endpoint:", "  base_url: not a url", "  depths: 0-8192+0"].join("\n")
    );
    assert.deepEqual(
      found.map(([line, m]) => [line, m.split(":")[0]]),
      [
        [4, "endpoint.base_url"],
        [5, "endpoint.depths"]
      ]
    );
    // Cross-field checks run once the fields themselves are valid.
    assert.deepEqual(
      problems(["name: x", "runner: endpoint", "endpoint:", "  base_url: http://127.0.0.1:8080/v1"].join("\n")),
      [[3, "endpoint.model: expected base_url and model (or a targets: list)"]]
    );
    assert.match(
      problems(
        ["name: x", "runner: endpoint", "models: [a]", "endpoint: {base_url: 'http://h:1/v1', model: m}"].join("\n")
      )[0][1],
      /^models: the endpoint runner measures endpoint.model/
    );
  });
});

describe("plan expansion: the docs examples", () => {
  it("4x3080-split-modes: 2 models × 2 split modes × 2 depths, argv as the seed ran it", () => {
    const cells = expandPlan(docPlan("4x3080-split-modes.yaml"), {env: {}});
    assert.equal(cells.length, 8);
    assert.deepEqual(cells[0].argv, [
      "./build/bin/llama-bench",
      "-m",
      "/data/huggingface/Mistral-Medium-3.5-GGUF/Mistral-Medium-3.5-128B-IQ4_XS-00001-of-00003.gguf",
      "-p",
      "512",
      "-n",
      "128",
      "-d",
      "0",
      "-ngl",
      "99",
      "-sm",
      "layer",
      "-fa",
      "1",
      "-o",
      "jsonl"
    ]);
    assert.deepEqual(
      cells.map((c) => c.label),
      [
        "Mistral-Medium-3.5-128B-IQ4_XS · -sm layer · d0",
        "Mistral-Medium-3.5-128B-IQ4_XS · -sm layer · d16384",
        "Mistral-Medium-3.5-128B-IQ4_XS · -sm tensor · d0",
        "Mistral-Medium-3.5-128B-IQ4_XS · -sm tensor · d16384",
        "Qwen3.5-122B-A10B-UD-IQ4_XS · -sm layer · d0",
        "Qwen3.5-122B-A10B-UD-IQ4_XS · -sm layer · d16384",
        "Qwen3.5-122B-A10B-UD-IQ4_XS · -sm tensor · d0",
        "Qwen3.5-122B-A10B-UD-IQ4_XS · -sm tensor · d16384"
      ]
    );
    assert.deepEqual(
      cells[3].expected.map((t) => [t.test, t.kind, t.n_prompt, t.n_gen, t.n_depth]),
      [
        ["pp512 @ d16384", "pp", 512, 0, 16384],
        ["tg128 @ d16384", "tg", 0, 128, 16384]
      ]
    );
    assert.deepEqual(cells[0].env, {CUDA_VISIBLE_DEVICES: "0,1,2,3"});
    assert.equal(new Set(cells.map((c) => c.id)).size, 8);
  });

  it("rtx4090-depth-sweeps: 6 models × 4 depths", () => {
    const cells = expandPlan(docPlan("rtx4090-depth-sweeps.yaml"), {env: {}});
    assert.equal(cells.length, 24);
    assert.deepEqual([...new Set(cells.map((c) => c.params.n_depth))], [0, 8192, 16384, 32768]);
    assert.deepEqual(
      [...new Set(cells.map((c) => c.params.model_label))],
      [
        "Qwen3.5-27B-UD-Q4_K_XL",
        "Qwen3.5-35B-A3B-UD-Q3_K_XL",
        "Qwen3.5-35B-A3B-UD-Q4_K_XL",
        "Qwen3.5-35B-A3B-MXFP4_MOE",
        "GLM-4.7-Flash-UD-Q2_K_XL",
        "GLM-4.7-Flash-UD-Q4_K_XL"
      ]
    );
    assert.equal(cells[0].argv[0], "llama-bench", "no binary: llama-bench from PATH");
  });

  it("dual-3060-ts-ub-retune: 6 ratios × 3 ubatch sizes, -ts in llama-bench's / syntax", () => {
    const cells = expandPlan(docPlan("dual-3060-ts-ub-retune.yaml"), {env: {}});
    assert.equal(cells.length, 18);
    const pairs = cells.map((c) => [c.argv[c.argv.indexOf("-ts") + 1], c.argv[c.argv.indexOf("-ub") + 1]]);
    assert.deepEqual(pairs.slice(0, 7), [
      ["0.5/0.5", "128"],
      ["0.48/0.52", "128"],
      ["0.47/0.53", "128"],
      ["0.45/0.55", "128"],
      ["0.43/0.57", "128"],
      ["0.40/0.60", "128"],
      ["0.5/0.5", "256"]
    ]);
    assert.ok(cells.every((c) => c.argv.includes("-r") && c.argv[c.argv.indexOf("-r") + 1] === "3"));
    assert.deepEqual(cells[0].params.settings, {
      n_batch: 512,
      n_ubatch: 128,
      type_k: "q4_0",
      type_v: "q4_0",
      n_threads: 6,
      n_gpu_layers: 999,
      flash_attn: "1",
      tensor_split: "0.5/0.5"
    });
  });

  it("runtime-comparison-depth: one endpoint cell per server, every depth expected", () => {
    const cells = expandPlan(docPlan("runtime-comparison-depth.yaml"), {env: {}});
    assert.deepEqual(
      cells.map((c) => c.label),
      ["llama-server · Qwen/Qwen3.5-4B", "sglang · Qwen/Qwen3.5-4B", "vllm · Qwen/Qwen3.5-4B"]
    );
    const params = cells[1].params as unknown as EndpointCellParams;
    assert.deepEqual(params.depths, [0, 8192, 16384, 32768]);
    assert.deepEqual(params.prompt_tokens, [2048]);
    assert.equal(params.runs, 5);
    assert.equal(params.target.api, "chat");
    assert.deepEqual(params.server?.env, {SGLANG_ENABLE_SPEC_V2: "1"});
    assert.equal(params.server?.command[3], "-m");
    assert.deepEqual(
      cells[0].expected.map((t) => t.test),
      [
        "pp2048",
        "tg32",
        "pp2048 @ d8192",
        "tg32 @ d8192",
        "pp2048 @ d16384",
        "tg32 @ d16384",
        "pp2048 @ d32768",
        "tg32 @ d32768"
      ]
    );
    assert.deepEqual(cells[0].argv, [], "the endpoint runner runs in-process");
  });
});

describe("cell ids", () => {
  const plan = (matrix: string) =>
    expandPlan(readPlan(`name: x\nrunner: llama-bench\nmodels: [m.gguf]\nmatrix:\n${matrix}\n`, "p.yaml"), {env: {}});

  it("do not depend on how a parameter is spelled or ordered", () => {
    const a = plan("  -ub: 256\n  -fa: 1");
    const b = plan("  n_flash: 1".replace("n_flash", "flash_attn") + "\n  --ubatch-size: 256");
    assert.equal(a[0].id, b[0].id);
    assert.deepEqual(a[0].argv, b[0].argv);
  });

  it("change with any parameter, and run a value listed twice once", () => {
    assert.notEqual(plan("  -ub: 256")[0].id, plan("  -ub: 512")[0].id);
    assert.equal(plan("  -ub: 256,256").length, 1);
  });
});

describe("wrapper runners", () => {
  it("vllm bench serve: matrix keys are the tool's options, repetitions repeat cells", () => {
    const text = [
      "name: v",
      "runner: vllm-bench-serve",
      "models: [Qwen/Qwen3.5-4B]",
      "matrix:",
      "  max-concurrency: [1, 16]",
      "  --save-detailed: true",
      "args: [--dataset-name, random, --random-input-len, '1024', --random-output-len, '128']",
      "repetitions: 2"
    ].join("\n");
    const cells = expandPlan(readPlan(text, "v.yaml"), {env: {}});
    assert.equal(cells.length, 4);
    assert.deepEqual(cells[0].argv, [
      "vllm",
      "bench",
      "serve",
      "--model",
      "Qwen/Qwen3.5-4B",
      "--max-concurrency",
      "1",
      "--save-detailed",
      "--dataset-name",
      "random",
      "--random-input-len",
      "1024",
      "--random-output-len",
      "128"
    ]);
    assert.deepEqual(
      cells[0].expected.map((t) => [t.test, t.concurrency, t.n_prompt, t.n_gen]),
      [["random in1024 out128 c1", 1, 1024, 128]]
    );
    assert.deepEqual(
      cells.map((c) => c.label),
      [
        "Qwen3.5-4B · --max-concurrency 1 · #1",
        "Qwen3.5-4B · --max-concurrency 1 · #2",
        "Qwen3.5-4B · --max-concurrency 16 · #1",
        "Qwen3.5-4B · --max-concurrency 16 · #2"
      ]
    );
    assert.throws(
      () => expandPlan(readPlan("name: v\nrunner: vllm-bench-serve\nargs: [--save-result]\n", "v.yaml")),
      /benchbook saves the result file itself/
    );
  });

  it("mlx_lm.benchmark: repetitions are its --num-trials; tests named as the mlx format names them", () => {
    const cells = expandPlan(
      readPlan(
        "name: m\nrunner: mlx-benchmark\nmodels: [./mlx-community/Qwen3.5-4B-MLX-4bit]\nmatrix: {-p: 1024, -g: 64}\nrepetitions: 5\n",
        "m.yaml"
      ),
      {env: {}}
    );
    assert.deepEqual(cells[0].argv, [
      "mlx_lm.benchmark",
      "--model",
      "./mlx-community/Qwen3.5-4B-MLX-4bit",
      "-p",
      "1024",
      "-g",
      "64",
      "--num-trials",
      "5"
    ]);
    assert.deepEqual(
      cells[0].expected.map((t) => t.test),
      ["pp1024", "tg64 @ d1024"]
    );
  });
});
