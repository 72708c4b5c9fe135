/**
 * The inference engines benchbook knows, in display order: the one list every runtime lookup reads
 * (docs/architecture.md, "Add a runtime"). The site's copy is RUNTIME_ORDER in src/components/shared/chart.ts,
 * kept equal by test/context/runtimes.test.ts.
 */
import type {ParsedCommand} from "./command.js";

export interface Runtime {
  /** The `runtime` value stored on runs. */
  id: string;
  /** How a writeup names it (a configuration table's runtime column): matched anywhere, case-insensitively. */
  names: RegExp;
  /** How a program or a version comment names it (`# llama-server version: …`, `# mlx-lm 0.31.1`): the whole word. */
  aliases: RegExp;
  /** Programs of this runtime whose command lines are context (command.ts). */
  programs: string[];
  /** Whether a command launches this runtime's server, and the argv words before its options (a subcommand). */
  server: (command: ParsedCommand) => {subcommand: number} | null;
  /** Options of a server command that name the model rather than configure the server. */
  modelOptions: string[];
  /** Whether the server command's first positional argument (after the subcommand) is the model. */
  positionalModel: boolean;
  /** Prefixes of environment variables that change what it measures, recorded with each bench capture (`VLLM_`). */
  envPrefixes: string[];
  /** The `owned_by` its OpenAI-compatible `GET /models` answers with, when that names it. */
  ownedBy: string | null;
  /** Its official container image, whose entrypoint runs `program subcommand` with the arguments after the image. */
  image?: {name: RegExp; program: string; subcommand: string};
}

export const RUNTIMES: readonly Runtime[] = [
  {
    id: "llama.cpp",
    names: /llama[.\s_-]?cpp|llama-server/i,
    aliases: /^(?:llama-server|llama\.cpp|llama-cpp|llamacpp)$/i,
    programs: ["llama-bench", "llama-server", "llama-batched-bench", "llama-sweep-bench", "llama-cli"],
    server: (c) => (c.program === "llama-server" ? {subcommand: 0} : null),
    modelOptions: ["-m", "--model", "-hf", "--hf-repo", "-mu", "--model-url"],
    positionalModel: false,
    envPrefixes: ["GGML_", "LLAMA_"],
    ownedBy: "llamacpp"
  },
  {
    id: "vllm",
    names: /vllm/i,
    aliases: /^vllm$/i,
    programs: ["vllm", "vllm.entrypoints.openai.api_server"],
    server: (c) =>
      c.program === "vllm" && c.argv[0] === "serve"
        ? {subcommand: 1}
        : c.program === "vllm.entrypoints.openai.api_server"
          ? {subcommand: 0}
          : null,
    modelOptions: ["--model"],
    positionalModel: true,
    envPrefixes: ["VLLM_"],
    ownedBy: "vllm",
    image: {name: /^vllm(?:-openai)?$/, program: "vllm", subcommand: "serve"}
  },
  {
    id: "sglang",
    names: /sglang/i,
    aliases: /^sglang$/i,
    programs: ["sglang.launch_server", "sglang.bench_serving", "sglang.bench_one_batch"],
    server: (c) => (c.program === "sglang.launch_server" ? {subcommand: 0} : null),
    modelOptions: ["--model-path", "--model_path", "--model"],
    positionalModel: false,
    envPrefixes: ["SGLANG_"],
    ownedBy: "sglang"
  },
  {
    id: "mlx",
    names: /mlx/i,
    aliases: /^(?:mlx-lm|mlx_lm|mlx)$/i,
    programs: ["mlx_lm.benchmark", "mlx_lm.server", "mlx_lm"],
    server: (c) =>
      c.program === "mlx_lm.server"
        ? {subcommand: 0}
        : c.program === "mlx_lm" && c.argv[0] === "server"
          ? {subcommand: 1}
          : null,
    modelOptions: ["--model", "-m"],
    positionalModel: false,
    envPrefixes: ["MLX_"],
    ownedBy: null
  },
  {
    id: "lmstudio",
    names: /lm\s*studio|\blms\b/i,
    aliases: /^(?:lms|lmstudio|lm-studio)$/i,
    programs: ["lms"],
    server: (c) =>
      c.program === "lms" && (c.argv[0] === "load" || (c.argv[0] === "server" && c.argv[1] === "start"))
        ? {subcommand: c.argv[0] === "load" ? 1 : 2}
        : null,
    modelOptions: [],
    positionalModel: true,
    envPrefixes: [],
    ownedBy: "organization_owner"
  }
];

export const RUNTIME_IDS: readonly string[] = RUNTIMES.map((r) => r.id);

export function runtimeById(id: string | null | undefined): Runtime | null {
  return RUNTIMES.find((r) => r.id === id) ?? null;
}

/** The runtime whose server a command launches, or null when it launches none. */
export function serverRuntime(command: ParsedCommand): {runtime: Runtime; subcommand: number} | null {
  for (const runtime of RUNTIMES) {
    const found = runtime.server(command);
    if (found) return {runtime, subcommand: found.subcommand};
  }
  return null;
}

/** The runtime whose `GET /models` answers with this `owned_by`. */
export function runtimeByOwner(owner: string): Runtime | null {
  return RUNTIMES.find((r) => r.ownedBy === owner) ?? null;
}

/** Python packages whose modules are runtime programs (`sglang.launch_server`, `mlx_lm.benchmark`): `python -m <package>.<module>`. */
export const PYTHON_PACKAGES: readonly string[] = [
  ...new Set(RUNTIMES.flatMap((r) => r.programs.filter((p) => p.includes(".")).map((p) => p.split(".")[0])))
];
