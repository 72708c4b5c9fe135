import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {classifyEnd, logTail, oomLine} from "../../scripts/bench/failure.js";
import {fixtureText} from "../helpers/fixtures.js";

describe("classifyEnd: why a cell failed, from real llama-bench endings", () => {
  it("CPU: failed to create context under ulimit -v (exit 1) is out of memory", () => {
    const stderr = fixtureText("captured/cpu/llama-bench-fail-jsonl.stderr");
    const end = classifyEnd({exit_code: 1, signal: null, timed_out: false, stderr}, 2);
    assert.equal(end.status, "oom");
    assert.equal(
      end.detail,
      "out of memory (exit code 1)\nllama_bench: error: failed to create context with model 'tiny.gguf'"
    );
  });

  it("CUDA: the compute buffer that does not fit (exit 1) is out of memory, with the device lines in the tail", () => {
    const stderr = fixtureText("standins/llama-bench-cuda/cuda-oom-compute.stderr");
    const end = classifyEnd({exit_code: 1, signal: null, timed_out: false, stderr}, 1);
    assert.equal(end.status, "oom");
    assert.match(end.detail!, /^out of memory \(exit code 1\)\nggml_cuda_init: found 1 CUDA devices/);
    assert.ok(end.detail!.endsWith("llama_bench: error: failed to create context with model 'tiny.gguf'"));
  });

  it("a GGML_ABORT (SIGABRT) is an error that quotes the abort line", () => {
    const stderr = fixtureText("standins/llama-bench-cuda/cuda-sm-tensor-d0.stderr");
    const end = classifyEnd({exit_code: null, signal: "SIGABRT", timed_out: false, stderr}, 2);
    assert.equal(end.status, "error");
    assert.match(end.detail!, /^killed by SIGABRT\n/);
    assert.match(end.detail!, /unsupported mul_mat split states/);
  });

  it("failed to load model (exit 1) is an error, not out of memory", () => {
    const stderr = fixtureText("standins/llama-bench-cuda/cuda-sm-row-d0.stderr");
    const end = classifyEnd({exit_code: 1, signal: null, timed_out: false, stderr}, 2);
    assert.equal(end.status, "error");
    assert.match(end.detail!, /^exit code 1\n[\s\S]*failed to load model 'tiny.gguf'$/);
  });

  it("timeouts win over everything; exit 0 with missing results is still a failure; a clean end is ok", () => {
    assert.equal(
      classifyEnd({exit_code: null, signal: "SIGTERM", timed_out: true, timeout_s: 5, stderr: "failed to allocate"})
        .status,
      "timeout"
    );
    assert.equal(
      classifyEnd({exit_code: null, signal: "SIGTERM", timed_out: true, timeout_s: 5, stderr: ""}).detail,
      "timed out after 5 s; stopped (the tool printed no log)"
    );
    assert.deepEqual(classifyEnd({exit_code: 0, signal: null, timed_out: false, stderr: ""}, 1), {
      status: "error",
      detail: "exit code 0 but 1 expected result missing (the tool printed no log)"
    });
    assert.deepEqual(
      classifyEnd({
        exit_code: 0,
        signal: null,
        timed_out: false,
        stderr: "warning: failed to allocate 10 MB of pinned memory"
      }),
      {status: "ok", detail: null},
      "OOM-looking warnings of a successful run are ignored"
    );
    assert.equal(
      classifyEnd({
        exit_code: null,
        signal: null,
        timed_out: false,
        spawn_error: "could not start x: not found",
        stderr: ""
      }).status,
      "error"
    );
    assert.match(classifyEnd({exit_code: null, signal: "SIGKILL", timed_out: false, stderr: ""}).detail!, /OOM killer/);
  });
});

describe("log tails", () => {
  it("keeps the last lines, drops blank ones and trailing spaces, caps the length", () => {
    assert.equal(logTail("a\n\nb  \r\nc\n", 2), "b\nc");
    const long = Array.from({length: 100}, (_, i) => `line ${i} ${"x".repeat(50)}`).join("\n");
    const tail = logTail(long, 100);
    assert.ok(tail.length <= 2001 && tail.startsWith("…") && tail.endsWith(`line 99 ${"x".repeat(50)}`));
  });

  it("finds OOM lines of the backends (strings as ggml and PyTorch print them)", () => {
    // Format strings from llama.cpp's ggml-cuda.cu / ggml-alloc.c, with values filled in.
    assert.ok(
      oomLine(
        "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 9866.00 MiB on device 1: cudaMalloc failed: out of memory"
      )
    );
    assert.ok(oomLine("ggml_gallocr_reserve_n: failed to allocate CUDA1 buffer of size 10345253120"));
    assert.ok(oomLine("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB"));
    assert.equal(oomLine("llama_bench: error: failed to load model 'tiny.gguf'"), null);
  });
});
