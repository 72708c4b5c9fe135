/**
 * Model identity: the label shown for a model (docs/importing.md, "Model
 * identity") and its Hugging Face repo id, from every way a model is named,
 * with the printed file and name kept as they were.
 */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {modelLabel, modelRepo} from "../../scripts/schema/row.js";
import {fixtureText, read, rowsOf} from "../helpers/fixtures.js";

describe("model label and repo", () => {
  const cases: [file: string | null, name: string | null, label: string | null, repo: string | null][] = [
    ["models/Qwen2.5-7B-Instruct-Q4_K_M.gguf", "qwen2 7B Q4_K - Medium", "Qwen2.5-7B-Instruct-Q4_K_M", null],
    [
      "/root/.cache/huggingface/hub/models--Qwen--Qwen3-8B/snapshots/0123456789abcdef0123456789abcdef01234567",
      null,
      "Qwen3-8B",
      "Qwen/Qwen3-8B"
    ],
    [
      "/root/.cache/huggingface/hub/models--Qwen--Qwen3-8B/snapshots/0123456789abcdef/",
      null,
      "Qwen3-8B",
      "Qwen/Qwen3-8B"
    ],
    [
      "/hf/hub/models--unsloth--Qwen3.5-9B-GGUF/snapshots/abc/Qwen3.5-9B-UD-Q4_K_XL.gguf",
      null,
      "Qwen3.5-9B-UD-Q4_K_XL",
      "unsloth/Qwen3.5-9B-GGUF"
    ],
    ["Qwen/Qwen3-8B", null, "Qwen3-8B", "Qwen/Qwen3-8B"],
    ["mlx-community/Qwen3-8B-4bit", null, "Qwen3-8B-4bit", "mlx-community/Qwen3-8B-4bit"],
    ["/models/Qwen3-8B/", null, "Qwen3-8B", null],
    ["models/Qwen3-8B", null, "Qwen3-8B", null],
    ["~/models/GLM-4.5-Air-Q4_K_M-00001-of-00003.gguf", null, "GLM-4.5-Air-Q4_K_M", null],
    ["C:\\models\\llama-2-7b.Q4_0.gguf", null, "llama-2-7b.Q4_0", null],
    ["Qwen3-8B", null, "Qwen3-8B", null],
    [null, "qwen2 7B Q4_K - Medium", "qwen2 7B Q4_K - Medium", null],
    [null, "Qwen/Qwen3-30B-A3B", "Qwen3-30B-A3B", "Qwen/Qwen3-30B-A3B"],
    [null, "/models/gpt-oss-20b.gguf", "gpt-oss-20b", null],
    [null, null, null, null]
  ];
  for (const [file, name, label, repo] of cases) {
    it(`${file ?? name ?? "nothing"} → ${label} (${repo})`, () => {
      assert.equal(modelLabel({file, name}), label);
      assert.equal(modelRepo({file, name}), repo);
    });
  }
});

describe("a real writeup's model on a Hugging Face cache path (seed 003)", () => {
  it("shows the repository, not the snapshot hash", () => {
    const rows = rowsOf(read(fixtureText("seeds/003-outputs.txt"), "003-outputs.txt")).filter(
      (r) => typeof r.model_file === "string" && (r.model_file as string).includes("models--")
    );
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.equal(
        row.model_file,
        "/hf/hub/models--nvidia--Gemma-4-31B-IT-NVFP4/snapshots/e5ef03afa233c35cb000323ff098d4291e1dd07c"
      );
      assert.equal(row.model_label, "Gemma-4-31B-IT-NVFP4");
      assert.equal(row.model_repo, "nvidia/Gemma-4-31B-IT-NVFP4");
    }
  });
});

describe("models named by commands", () => {
  it("an `mlx_lm benchmark --model <repo>` command quoted in backticks in the prose above its output", () => {
    const text = [
      "I ran `mlx_lm benchmark --model mlx-community/Qwen3-8B-4bit -p 512 -g 128` on my M4 Max:",
      "",
      "```",
      ...fixtureText("mlx/mlx-vulkan-readme.md").split("\n").slice(6, 15),
      "```"
    ].join("\n");
    const rows = rowsOf(read(text, "post.md"));
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.equal(row.model_file, "mlx-community/Qwen3-8B-4bit");
      assert.equal(row.model_label, "Qwen3-8B-4bit");
      assert.equal(row.model_repo, "mlx-community/Qwen3-8B-4bit");
      assert.equal(row.command, "mlx_lm benchmark --model mlx-community/Qwen3-8B-4bit -p 512 -g 128");
    }
  });

  it("a vLLM server started from a Hugging Face cache snapshot: the repo, not the hash", () => {
    const serving = fixtureText("vllm/benchmark-serving-old.txt").split("\n").slice(0, 30).join("\n");
    const text = `$ vllm serve /root/.cache/huggingface/hub/models--Qwen--Qwen3-8B/snapshots/9c925d64d72725edaf899c6cb9c377fd0709d9c5 --max-model-len 8192\n${serving}`;
    const rows = rowsOf(read(text, "post.md"));
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.equal(
        row.model_file,
        "/root/.cache/huggingface/hub/models--Qwen--Qwen3-8B/snapshots/9c925d64d72725edaf899c6cb9c377fd0709d9c5"
      );
      assert.equal(row.model_label, "Qwen3-8B");
      assert.equal(row.model_repo, "Qwen/Qwen3-8B");
    }
  });

  it("SGLang's --model-path and llama-server's -m", () => {
    for (const [command, label] of [
      ["python -m sglang.launch_server --model-path Qwen/Qwen3-8B --port 30000", "Qwen3-8B"],
      ["llama-server -m /models/Qwen3-8B-Q4_K_M.gguf --port 8080", "Qwen3-8B-Q4_K_M"]
    ]) {
      const serving = fixtureText("vllm/benchmark-serving-old.txt").split("\n").slice(0, 30).join("\n");
      const rows = rowsOf(read(`$ ${command}\n${serving}`, "post.md"));
      assert.ok(rows.length > 0);
      assert.deepEqual([...new Set(rows.map((r) => r.model_label))], [label], command);
    }
  });
});
