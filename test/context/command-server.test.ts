import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {isServerCommand, parseCommandLine} from "../../scripts/context/command.js";

const parse = (text: string) => parseCommandLine(text, 1);

describe("server launches and containers", () => {
  it("tells server launches from benchmark clients", () => {
    const servers = [
      "llama-server --model m.gguf --ctx-size 262144",
      "uv run vllm serve Qwen/Qwen3.5-4B --reasoning-parser qwen3",
      "SGLANG_ENABLE_SPEC_V2=1 uv run python -m sglang.launch_server --model Qwen/Qwen3.5-4B",
      "python -m vllm.entrypoints.openai.api_server --model m",
      "mlx_lm.server --model mlx-community/Qwen3-4B-4bit",
      "~/.lmstudio/bin/lms load glm-4.7-flash",
      "lms server start"
    ];
    for (const text of servers) assert.equal(isServerCommand(parse(text)!), true, text);
    const clients = [
      "vllm bench serve --model m --max-concurrency 8",
      "uvx llama-benchy@v0.3.5 --base-url http://127.0.0.1:8080",
      "python -m sglang.bench_serving --backend sglang",
      "llama-bench -m m.gguf",
      "lms ps"
    ];
    for (const text of clients) assert.equal(isServerCommand(parse(text)!), false, text);
  });

  it("reads a vLLM OpenAI image as vllm serve, keeping engine options out of argv", () => {
    const command = parse(
      "docker run --gpus all --ipc=host -p 8000:8000 -e HF_TOKEN=secret-value vllm/vllm-openai:v0.10.1 --model Qwen/Qwen3-8B -tp 2"
    )!;
    assert.equal(command.program, "vllm");
    assert.equal(command.program_version, "v0.10.1");
    assert.deepEqual(command.argv, ["serve", "--model", "Qwen/Qwen3-8B", "-tp", "2"]);
    assert.deepEqual(command.container, {engine: "docker", image: "vllm/vllm-openai:v0.10.1"});
    assert.deepEqual(command.env, {HF_TOKEN: "[REDACTED]"});
    assert.ok(isServerCommand(command));
  });

  it("reads the program named after an image (SGLang), and ignores containers that run other things", () => {
    const sglang = parse(
      "docker run --gpus all --shm-size 32g -p 30000:30000 lmsysorg/sglang:latest python3 -m sglang.launch_server --model-path Qwen/Qwen3-8B --port 30000"
    )!;
    assert.equal(sglang.program, "sglang.launch_server");
    assert.deepEqual(sglang.argv, ["--model-path", "Qwen/Qwen3-8B", "--port", "30000"]);
    assert.equal(sglang.container?.image, "lmsysorg/sglang:latest");
    assert.equal(parse("docker run --rm -it ubuntu:24.04 bash"), null);
    assert.equal(parse("podman run --rm localhost:5000/vllm/vllm-openai:nightly serve m")!.program_version, "nightly");
  });

  it("accepts mlx_lm's benchmark subcommand", () => {
    const command = parse("python -m mlx_lm benchmark --model m -p 512")!;
    assert.equal(command.program, "mlx_lm");
    assert.deepEqual(command.argv, ["benchmark", "--model", "m", "-p", "512"]);
  });
});
