/**
 * Capture a real endpoint result against a CPU llama-server for test/fixtures/endpoint/ (README there):
 *   npx tsx scripts/bench/endpoint/capture-fixture.ts --bin <llama.cpp bin dir> --model <tiny.gguf> --out <dir>
 */
import {mkdirSync, writeFileSync} from "node:fs";
import {join, resolve} from "node:path";
import {parseArgs} from "node:util";
import {expandPlan, readPlan} from "../plan.js";
import {endpointRunner} from "../runners/endpoint.js";

const {values} = parseArgs({
  options: {
    bin: {type: "string"},
    model: {type: "string"},
    out: {type: "string"},
    port: {type: "string", default: "18431"}
  }
});
if (!values.bin || !values.model || !values.out) {
  console.error("usage: capture-fixture.ts --bin <llama.cpp bin dir> --model <tiny.gguf> --out <dir> [--port 18431]");
  process.exit(2);
}
const port = values.port!;
// -c 2048 -np 2: two slots of 1024 tokens, so depth 2048 is refused with HTTP 400.
const plan = `name: endpoint fixture
runner: endpoint
timeout_s: 600
endpoint:
  base_url: http://127.0.0.1:${port}/v1
  model: ${JSON.stringify(values.model)}
  prompt_tokens: 64
  gen_tokens: 16
  depths: [0, 256, 2048]
  concurrency: [1, 2]
  runs: 2
  server:
    command: ${JSON.stringify([join(resolve(values.bin), "llama-server"), "-m", values.model, "-c", "2048", "-np", "2", "-t", "2", "--host", "127.0.0.1", "--port", port])}
    health_url: http://127.0.0.1:${port}/health
    startup_timeout_s: 60
`;
const [cell] = expandPlan(readPlan(plan, "fixture-plan.yaml"));
const outcome = await endpointRunner.run(cell, {
  signal: new AbortController().signal,
  progress: (e) => console.error(e.message),
  now: () => new Date(),
  env: process.env
});
mkdirSync(values.out, {recursive: true});
for (const file of outcome.files) {
  const name = file.role === "result" ? "llama-server-cpu.endpoint.json" : "llama-server-cpu.server.log";
  writeFileSync(join(values.out, name), file.bytes);
  console.error(`wrote ${join(values.out, name)} (${file.bytes.length} bytes)`);
}
console.error(
  `status: ${outcome.capture.status}${outcome.capture.status_detail ? ` (${outcome.capture.status_detail})` : ""}`
);
