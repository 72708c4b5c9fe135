/** Which paths the export publishes as base names, and which it leaves alone (the site build: test/integration/local-paths.test.ts). */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {hideLocalPaths} from "../../scripts/export/local-paths.js";

describe("hideLocalPaths", () => {
  it("publishes absolute local paths as their base names, home or not, POSIX or Windows, JSON-escaped too", () => {
    const cases: [string, string][] = [
      ["--model /mnt/models/alice/x.gguf -p 512", "--model x.gguf -p 512"],
      ['"model_filename": "/data/llm/x.gguf"', '"model_filename": "x.gguf"'],
      ["/home/alice/models/x.gguf", "x.gguf"],
      ["/home/alice", "~"],
      ["C:\\Users\\carol\\x.gguf", "x.gguf"],
      ['"D:\\\\models\\\\q.gguf"', '"q.gguf"'],
      ["D:\\models", "models"],
      ["/rootfs/a/b", "b"],
      ["-m /mnt/a/x.gguf,/mnt/a/y.gguf", "-m x.gguf,y.gguf"],
      ["PATH=/usr/bin:/opt/conda/bin", "PATH=/usr/bin:bin"],
      ["/tmp/x/y.txt:12", "y.txt:12"],
      ["see file:///home/alice/a/b.txt", "see file://b.txt"]
    ];
    for (const [text, published] of cases) assert.equal(hideLocalPaths(text), published, text);
  });

  it("keeps a Hugging Face snapshot folder's repository name (its base name is a bare commit hash the site cannot name)", () => {
    const snapshot = "/hf/hub/models--nvidia--Gemma-4-31B-IT-NVFP4/snapshots/e5ef03afa233c35cb000323ff098d4291e1dd07c";
    assert.equal(
      hideLocalPaths(`vllm serve ${snapshot} --host 0.0.0.0`),
      "vllm serve models--nvidia--Gemma-4-31B-IT-NVFP4/snapshots/e5ef03afa233c35cb000323ff098d4291e1dd07c --host 0.0.0.0"
    );
    assert.equal(
      hideLocalPaths("/home/bob/.cache/huggingface/hub/models--a--b/snapshots/abc123"),
      "models--a--b/snapshots/abc123"
    );
    // A file inside a snapshot keeps its own name, as any file does.
    assert.equal(hideLocalPaths(`${snapshot}/model-q4.gguf`), "model-q4.gguf");
  });

  it("leaves system folders, HTTP routes, URLs, units, dates and one-segment paths alone", () => {
    for (const text of [
      "http://host:8000/v1/completions",
      "--endpoint /v1/chat/completions",
      "tok/s 1/2 2024/01/02",
      "/usr/local/cuda/bin/nvcc",
      "/dev/nvidia0",
      "/proc/meminfo",
      "/metrics",
      "https://huggingface.co/unsloth/Qwen3-GGUF",
      "models/x.gguf"
    ]) {
      assert.equal(hideLocalPaths(text), text);
    }
  });

  it("never touches a line break", () => {
    const text = "a /mnt/x/y\n/data/z/w.gguf\r\nb";
    assert.equal(hideLocalPaths(text).split(/\r?\n/).length, 3);
  });
});
