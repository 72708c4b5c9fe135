/**
 * The server lifecycle with real child processes: the test streaming server
 * run as a program, and small node programs that crash, never become healthy
 * or ignore SIGTERM.
 */
import assert from "node:assert/strict";
import {fileURLToPath} from "node:url";
import {describe, it} from "node:test";
import {serverSchema} from "../../../scripts/bench/endpoint/config.js";
import {runtimeOfArgv, startServer, type ServerStartError} from "../../../scripts/bench/endpoint/server.js";
import {freePort} from "../../helpers/streaming-server.js";

const HELPER = fileURLToPath(new URL("../../helpers/streaming-server.ts", import.meta.url));

const node = (code: string) => [process.execPath, "-e", code];

describe("server lifecycle", () => {
  it("starts the command, waits for its health endpoint, keeps its log, stops it with SIGTERM", async () => {
    const port = await freePort();
    const server = await startServer(
      serverSchema.parse({
        argv: [process.execPath, "--import", "tsx", HELPER, "{}", String(port)],
        startup_timeout_s: 30
      }),
      [`http://127.0.0.1:${port}/health`],
      {env: process.env}
    );
    assert.equal(server.healthUrl, `http://127.0.0.1:${port}/health`);
    assert.ok(server.readyMs! > 0);
    assert.equal(server.exited(), null);
    assert.equal(server.gone(), null);
    const response = await fetch(`http://127.0.0.1:${port}/v1/models`);
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    const exit = await server.stop();
    // The helper exits 0 on SIGTERM, like llama-server ("cleaning up before exit...").
    assert.deepEqual(exit, {code: 0, signal: null});
    assert.equal(server.log().toString(), `listening ${port}\n`);
  });

  it("keeps stdout and stderr in arrival order, byte for byte", async () => {
    const port = await freePort();
    const code = `process.stdout.write("out 1\\n"); setTimeout(() => { process.stderr.write("err 2 \\u00e9\\n"); require("http").createServer((q, s) => s.end("ok")).listen(${port}, "127.0.0.1"); }, 100); process.on("SIGTERM", () => { process.stdout.write("bye\\n"); process.exit(0); });`;
    const server = await startServer(
      serverSchema.parse({argv: node(code), startup_timeout_s: 30}),
      [`http://127.0.0.1:${port}/`],
      {env: process.env}
    );
    await server.stop();
    assert.equal(server.log().toString("utf8"), "out 1\nerr 2 é\nbye\n");
  });

  it("a server that exits during startup: the error says how, with the end of its log", async () => {
    const started = startServer(
      serverSchema.parse({
        argv: node(`console.error("error: failed to load model 'missing.gguf'"); process.exit(1)`),
        startup_timeout_s: 30
      }),
      ["http://127.0.0.1:9/health"],
      {env: process.env}
    );
    await assert.rejects(started, (error: ServerStartError) => {
      assert.match(
        error.message,
        /^the server exited with code 1; its log ends:\nerror: failed to load model 'missing.gguf'$/
      );
      assert.deepEqual(error.exit, {code: 1, signal: null});
      assert.equal(error.server?.log().toString(), "error: failed to load model 'missing.gguf'\n");
      return true;
    });
  });

  it("a server that never becomes healthy: startup timeout, then it is stopped", async () => {
    const started = startServer(
      serverSchema.parse({
        argv: node(`console.log("loading model"); setInterval(() => {}, 1000)`),
        startup_timeout_s: 1
      }),
      ["http://127.0.0.1:9/health"],
      {env: process.env}
    );
    await assert.rejects(started, (error: ServerStartError) => {
      assert.match(
        error.message,
        /^the server did not answer 200 on http:\/\/127\.0\.0\.1:9\/health within 1 s; its log ends:\nloading model$/
      );
      assert.deepEqual(error.exit, {code: null, signal: "SIGTERM"});
      return true;
    });
  });

  it("a server that ignores SIGTERM is killed after the grace period", async () => {
    const port = await freePort();
    const code = `process.on("SIGTERM", () => console.log("ignoring SIGTERM")); require("http").createServer((q, s) => s.end("ok")).listen(${port}, "127.0.0.1");`;
    const server = await startServer(
      serverSchema.parse({argv: node(code), startup_timeout_s: 30, stop_timeout_s: 0.5}),
      [`http://127.0.0.1:${port}/`],
      {env: process.env}
    );
    const before = performance.now();
    const exit = await server.stop();
    assert.deepEqual(exit, {code: null, signal: "SIGKILL"});
    assert.ok(performance.now() - before >= 450);
    assert.equal(server.log().toString(), "ignoring SIGTERM\n");
  });

  it("a program that does not exist", async () => {
    await assert.rejects(
      startServer(
        serverSchema.parse({argv: ["/nonexistent/llama-server", "-m", "x.gguf"]}),
        ["http://127.0.0.1:9/health"],
        {env: process.env}
      ),
      /^Error: the server could not start: spawn \/nonexistent\/llama-server ENOENT/
    );
  });

  it("the plan's environment reaches the server", async () => {
    const port = await freePort();
    const code = `console.log(process.env.BENCHBOOK_TEST_VAR); require("http").createServer((q, s) => s.end("ok")).listen(${port}, "127.0.0.1");`;
    const server = await startServer(
      serverSchema.parse({argv: node(code), env: {BENCHBOOK_TEST_VAR: "from-plan"}}),
      [`http://127.0.0.1:${port}/`],
      {env: process.env}
    );
    await server.stop();
    assert.equal(server.log().toString(), "from-plan\n");
  });

  it("tells the runtime from the server command", () => {
    assert.equal(runtimeOfArgv(["/opt/llama.cpp/build/bin/llama-server", "-m", "m.gguf"]), "llama.cpp");
    assert.equal(runtimeOfArgv(["vllm", "serve", "Qwen/Qwen3-8B"]), "vllm");
    assert.equal(runtimeOfArgv(["python3", "-m", "sglang.launch_server", "--model-path", "x"]), "sglang");
    assert.equal(runtimeOfArgv(["python", "-m", "vllm.entrypoints.openai.api_server"]), "vllm");
    assert.equal(runtimeOfArgv(["mlx_lm.server", "--model", "x"]), "mlx");
    assert.equal(runtimeOfArgv(["lms", "server", "start"]), "lmstudio");
    assert.equal(runtimeOfArgv(["mlx_lm", "server", "--model", "x"]), "mlx");
    assert.equal(
      runtimeOfArgv(["uv", "run", "python", "-m", "sglang.launch_server", "--model", "Qwen/Qwen3.5-4B"]),
      "sglang"
    );
    assert.equal(runtimeOfArgv(["uv", "run", "vllm", "serve", "Qwen/Qwen3.5-4B", "--port", "8000"]), "vllm");
    assert.equal(runtimeOfArgv(["./llama.cpp/llama-server", "--model", "m.gguf"]), "llama.cpp");
    assert.equal(runtimeOfArgv(["my-server", "--port", "1"]), null);
  });
});
