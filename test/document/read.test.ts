import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {versionFromComments} from "../../scripts/context/command.js";
import type {DocumentReading} from "../../scripts/document/read.js";
import {readDocument} from "../../scripts/document/read.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../../scripts/formats/types.js";
import {emptyModel} from "../../scripts/schema/schema.js";
import {fixtureText, read} from "../helpers/fixtures.js";

/** A format that claims `RESULT <name>` lines and records the context each block was given. */
function probe(): {format: Format; seen: Map<string, Context>} {
  const seen = new Map<string, Context>();
  const format: Format = {
    id: "probe",
    tool: "probe",
    description: "RESULT lines",
    scan: (doc: Doc): Block[] =>
      doc.lines.flatMap((l, i) =>
        /^RESULT \w+$/.test(l.text) ? [{format: "probe", start: i, end: i, confidence: 1, reason: "a RESULT line"}] : []
      ),
    parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
      seen.set(doc.lines[block.start].text.slice(7), context);
      const line = doc.lines[block.start].line;
      return [
        {
          tool: "probe",
          tool_version: null,
          runtime: null,
          build_commit: null,
          build_number: null,
          format: "probe",
          started_at: null,
          command: null,
          hardware: context.hardware,
          model: emptyModel(),
          settings: {},
          settings_from_command: [],
          notes: [],
          extra: {},
          results: [],
          line_start: line,
          line_end: line
        }
      ];
    }
  };
  return {format, seen};
}

function readWithProbe(text: string): {reading: DocumentReading; seen: Map<string, Context>} {
  const {format, seen} = probe();
  return {reading: readDocument(text, {name: "post.md", formats: [format]}), seen};
}

/** Every physical line is a block, context or ignored — exactly once — and every ignored range says why. */
function assertAccounted(text: string, reading: DocumentReading) {
  const total = text.replace(/\r?\n$/, "").split(/\r\n|\n|\r/).length;
  const owner = new Map<number, string>();
  const claim = (from: number, to: number, what: string) => {
    for (let line = from; line <= to; line++) {
      const previous = owner.get(line);
      // Several logical pieces of one flattened physical line may be a block and context at once.
      if (previous && (previous === "ignored" || what === "ignored"))
        assert.fail(`line ${line} is both ${previous} and ${what}`);
      owner.set(line, what);
    }
  };
  for (const b of reading.blocks) claim(b.line_start, b.line_end, "block");
  for (const c of reading.context) claim(c.line_start, c.line_end, "context");
  for (const r of reading.ignored) {
    claim(r.line_start, r.line_end, "ignored");
    assert.ok(r.reason.length > 0, `ignored ${r.line_start}-${r.line_end} has a reason`);
  }
  for (let line = 1; line <= total; line++) assert.ok(owner.has(line), `line ${line} is accounted for`);
  for (const b of reading.blocks) assert.ok(b.confidence > 0 && b.confidence <= 1 && b.reason.length > 0);
}

describe("document reader: context inheritance", () => {
  // Commands as the seed writeups print them (seed 001), around probe blocks.
  const post = [
    "# vllm 0.17.2rc1.dev13+gf34032433",
    "$ uv run vllm serve Qwen/Qwen3.5-4B \\",
    `  --speculative-config '{"method": "mtp", "num_speculative_tokens": 1}' \\`,
    "  --reasoning-parser qwen3",
    "$ uvx llama-benchy@v0.3.5 --base-url http://127.0.0.1:8000/v1 --no-cache --model Qwen/Qwen3.5-4B --depth 0 8192 --runs 5",
    "RESULT first",
    "",
    "Then a second client run against the same server:",
    "$ uvx llama-benchy@v0.3.5 --base-url http://127.0.0.1:8000/v1 --model Qwen/Qwen3.5-4B --depth 16384",
    "RESULT second",
    "RESULT third",
    "# llama-server version: 8396 (054d8b0f2)",
    "$ llama-server \\",
    "  --model unsloth/Qwen3.5-4B-GGUF/Qwen3.5-4B-Q8_0.gguf \\",
    "  --jinja --ctx-size 262144",
    "RESULT fourth"
  ].join("\n");
  const {reading, seen} = readWithProbe(post);

  it("gives a block the commands since the previous block, and consumes them", () => {
    assert.deepEqual(
      seen.get("first")!.commands.map((c) => c.program),
      ["vllm", "llama-benchy"]
    );
    assert.deepEqual(
      seen.get("second")!.commands.map((c) => c.program),
      ["llama-benchy"]
    );
    assert.deepEqual(seen.get("third")!.commands, []);
  });

  it("keeps a server launch as context until the next server launch", () => {
    for (const name of ["first", "second", "third"]) {
      const server = seen.get(name)!.server!;
      assert.equal(server.program, "vllm");
      assert.deepEqual(server.argv.slice(0, 4), [
        "serve",
        "Qwen/Qwen3.5-4B",
        "--speculative-config",
        '{"method": "mtp", "num_speculative_tokens": 1}'
      ]);
      assert.deepEqual([server.line_start, server.line_end], [2, 4]);
    }
    const fourth = seen.get("fourth")!.server!;
    assert.equal(fourth.program, "llama-server");
    assert.ok(fourth.argv.includes("unsloth/Qwen3.5-4B-GGUF/Qwen3.5-4B-Q8_0.gguf"));
  });

  it("hands over # comments since the previous block, and puts the ones directly above a command on it", () => {
    assert.deepEqual(seen.get("first")!.comments, ["vllm 0.17.2rc1.dev13+gf34032433"]);
    assert.deepEqual(seen.get("first")!.server!.comments, ["vllm 0.17.2rc1.dev13+gf34032433"]);
    assert.deepEqual(seen.get("second")!.comments, []);
    assert.deepEqual(
      seen.get("second")!.server!.comments,
      ["vllm 0.17.2rc1.dev13+gf34032433"],
      "a server keeps its version comment"
    );
    assert.deepEqual(seen.get("fourth")!.server!.comments, ["llama-server version: 8396 (054d8b0f2)"]);
    assert.equal(seen.get("first")!.commands[1].comments, undefined);
  });

  it("explains every line, saying which commands launch servers", () => {
    assertAccounted(post, reading);
    const server = reading.context.filter((c) => c.kind === "command" && c.summary.includes("server launch"));
    assert.deepEqual(
      server.map((c) => [c.line_start, c.line_end]),
      [
        [2, 4],
        [13, 15]
      ]
    );
    assert.deepEqual(
      reading.ignored.map((r) => [r.line_start, r.line_end, r.reason]),
      [[7, 8, "prose (no benchmark output, command, device line or hardware heading)"]]
    );
  });
});

describe("document reader: containers, stated hardware and reasons for ignored lines", () => {
  it("reads a vLLM container launch (seed 003) as a vllm serve command with the image's tag, env and model", () => {
    const text = [
      fixtureText("seeds/003-config-tables.txt").split("\n").slice(6, 11).join("\n"),
      "",
      "  podman run --rm \\",
      "  --name test-model \\",
      "  --device nvidia.com/gpu=0 \\",
      "  --ipc=host \\",
      "  -p 8000:8000 \\",
      "  -e HF_HOME=/hf \\",
      "  -e HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyz \\",
      "  registry.home.arpa/vllm/vllm-openai:v0.21.0-ubuntu2404 \\",
      "  /hf/hub/models--nvidia--Gemma-4-31B-IT-NVFP4/snapshots/e5ef03afa233c35cb000323ff098d4291e1dd07c \\",
      "  --kv-cache-dtype fp8 \\",
      "  --tensor-parallel-size 1 \\",
      "  --max-model-len 262144",
      "RESULT a"
    ].join("\n");
    const {reading, seen} = readWithProbe(text);
    const server = seen.get("a")!.server!;
    assert.equal(server.program, "vllm");
    assert.equal(server.program_version, "v0.21.0-ubuntu2404");
    assert.deepEqual(server.container, {
      engine: "podman",
      image: "registry.home.arpa/vllm/vllm-openai:v0.21.0-ubuntu2404"
    });
    assert.deepEqual(server.argv.slice(0, 2), [
      "serve",
      "/hf/hub/models--nvidia--Gemma-4-31B-IT-NVFP4/snapshots/e5ef03afa233c35cb000323ff098d4291e1dd07c"
    ]);
    assert.ok(server.argv.includes("--kv-cache-dtype") && server.argv.includes("fp8"));
    assert.deepEqual(server.env, {HF_HOME: "/hf", HF_TOKEN: "[REDACTED]"});
    assert.ok(!server.text.includes("hf_abcdefghijklmnopqrstuvwxyz"), "the token never reaches the command text");
    assert.equal(seen.get("a")!.hardware.stated, "NVIDIA RTX PRO 6000 Blackwell 96GB (SM120)");
    assertAccounted(text, reading);
  });

  it("takes a GPU stated in a key/value line or table row, and not a GPU mentioned in prose", () => {
    for (const line of [
      "GPU: NVIDIA GeForce RTX 4090",
      "| GPU | NVIDIA GeForce RTX 4090 |",
      "GPUNVIDIA GeForce RTX 4090"
    ]) {
      const {seen} = readWithProbe(`${line}\nRESULT a`);
      assert.equal(seen.get("a")!.hardware.stated, "NVIDIA GeForce RTX 4090", line);
    }
    const {seen} = readWithProbe("GPU 0 sits in a PCIe 3.0 x4 slot, which is slow.\nRESULT a");
    assert.equal(seen.get("a")!.hardware.stated, null);
    // seed 003 states the GPU in full once, then shorter in each configuration table
    const restated = readWithProbe(
      "GPUNVIDIA RTX PRO 6000 Blackwell 96GB (SM120)\nRESULT a\nGPURTX PRO 6000 Blackwell 96GB\nRESULT b\nGPU: NVIDIA GeForce RTX 4090\nRESULT c"
    ).seen;
    assert.deepEqual(
      ["a", "b", "c"].map((k) => restated.get(k)!.hardware.stated),
      [
        "NVIDIA RTX PRO 6000 Blackwell 96GB (SM120)",
        "NVIDIA RTX PRO 6000 Blackwell 96GB (SM120)",
        "NVIDIA GeForce RTX 4090"
      ]
    );
  });

  it("says why each ignored range was ignored", () => {
    const text = [
      "Some words about the setup.",
      "",
      "```bash",
      "git clone https://github.com/TIGER-AI-Lab/MMLU-Pro",
      "cd MMLU-Pro",
      "```",
      "",
      "| 컨텍스트 | KV 캐시 (q4_0) |",
      "|---------|---------------|",
      "| 128K | 720 MiB |",
      "RESULT a",
      "---"
    ].join("\n");
    const {reading} = readWithProbe(text);
    assert.deepEqual(
      reading.ignored.map((r) => [r.line_start, r.line_end, r.reason]),
      [
        [1, 3, "prose (no benchmark output, command, device line or hardware heading)"],
        [4, 7, "a command of a program whose output benchbook does not read (install, download, setup)"],
        [8, 10, "a table no format recognizes (columns: 컨텍스트, kv 캐시 (q4_0))"],
        [12, 12, "horizontal rule"]
      ]
    );
    assertAccounted(text, reading);
  });
});

describe("document reader: every line of real documents is accounted for", () => {
  for (const name of [
    "seeds/000-4x3080-split.txt",
    "seeds/001-rtx4090-m4.txt",
    "mlx/mlx-vulkan-readme.md",
    "llama-batched-bench/mac-m2-ultra-gpt-oss-20b.md",
    "seeds/002-dual-3060-retune.yaml",
    "captured/cpu/llama-batched-bench-md.stdout"
  ]) {
    it(name, () => {
      const text = fixtureText(name);
      assertAccounted(text, read(text, name).reading);
    });
  }
});

describe("versionFromComments", () => {
  it("finds versions as the seeds write them", () => {
    const comments = [
      "llama-server + llama-benchy",
      "llama-server version: 8396 (054d8b0f2)",
      "sglang commit 7f99319c",
      "vllm 0.17.2rc1.dev13+gf34032433",
      "mlx-lm 0.31.1"
    ];
    assert.equal(versionFromComments(comments, ["llama-server"]), "8396 (054d8b0f2)");
    assert.equal(versionFromComments(comments, ["sglang"]), "commit 7f99319c");
    assert.equal(versionFromComments(comments, ["vllm"]), "0.17.2rc1.dev13+gf34032433");
    assert.equal(versionFromComments(comments, ["mlx_lm"]), "0.31.1");
    assert.equal(versionFromComments(["install latest stable vllm"], ["vllm"]), null);
  });
});
