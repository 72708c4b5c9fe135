/**
 * The bench plan's shape (zod; docs/bench.md documents every key). Strict: a typo must not silently run a
 * different benchmark. llama-bench lists (`128,256`, `1-8+1`) are kept as written and expanded in plan.ts.
 */
import {z} from "zod";
import {isSecretName} from "../context/redact.js";
import {AbSection} from "./ab-plan.js";
import {parseIntRange, RangeError} from "./llama-bench-options.js";

export const DEFAULT_MAX_CELLS = 10_000;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A scalar option value as YAML gives it. */
const Scalar = z.union([z.string(), z.number(), z.boolean()], {error: "expected a string, number or boolean"});
/** One matrix entry: a value (maybe a llama-bench list/range) or a YAML list of them. */
const MatrixValue = z.union([Scalar, z.array(Scalar).min(1, "expected at least one value")], {
  error: "expected a value or a list of values"
});

const Text = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/**
 * Integers written as llama-bench writes them: `8192`, `0,8192,16384`,
 * `0-32768+8192`, `512-4096*2`, or a YAML list of those.
 */
export const IntList = z
  .union([z.number(), z.string(), z.array(z.union([z.number(), z.string()])).min(1)], {
    error: "expected an integer, a llama-bench list/range such as 0,8192 or 512-4096*2, or a list of them"
  })
  .transform((value, ctx) => {
    const items = Array.isArray(value) ? value : [value];
    const out: number[] = [];
    for (const item of items) {
      if (typeof item === "number") {
        if (!Number.isInteger(item) || item < 0) {
          ctx.issues.push({code: "custom", message: `expected a non-negative integer, found ${item}`, input: value});
          return z.NEVER;
        }
        out.push(item);
        continue;
      }
      try {
        out.push(...parseIntRange(item.trim()));
      } catch (error) {
        ctx.issues.push({
          code: "custom",
          message: error instanceof RangeError ? error.message : String(error),
          input: value
        });
        return z.NEVER;
      }
    }
    if (out.length === 0) {
      ctx.issues.push({code: "custom", message: `"${items.join(",")}" expands to no values`, input: value});
      return z.NEVER;
    }
    return out;
  });

/** Environment variables set for the tool. Secret-named ones are refused: a plan is a file people share. */
const EnvMap = z
  .record(z.string().regex(ENV_NAME, "expected an environment variable name"), Text)
  .superRefine((env, ctx) => {
    for (const name of Object.keys(env)) {
      if (isSecretName(name))
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `${name} looks like a secret; never write secrets in a plan: set it in your environment and list its name under pass_env`
        });
    }
  });

const Model = z.union(
  [
    z.string().min(1),
    z.strictObject({
      path: z.string().min(1),
      /** Short name for labels and charts (default: the file's base name without .gguf). */
      label: z.string().min(1).optional()
    })
  ],
  {error: "expected a model path, or {path, label}"}
);

/** The keys every runner shares; a runner's plan is `z.strictObject({...planKeys, runner: z.literal(ID), …})`. */
export const planKeys = {
  name: z.string().min(1),
  description: z.string().optional(),
  /**
   * The program: a path or a name looked up in PATH, or an argv prefix
   * (`[python3, -m, sglang.bench_serving]`). Default: the runner's usual command.
   */
  binary: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
      error: "expected a program path/name or an argv array"
    })
    .optional(),
  models: z.array(Model).min(1, "expected at least one model").optional(),
  /** Settings to sweep: the cartesian product of all entries becomes cells. */
  matrix: z.record(z.string().min(1), MatrixValue).default({}),
  /** Extra arguments appended to every cell's command, verbatim (never through a shell). */
  args: z.array(Text).default([]),
  repetitions: z.number().int().positive().optional(),
  tags: z.record(z.string().min(1), Text).default({}),
  /** Seconds before a cell is stopped and recorded as `timeout`. */
  timeout_s: z.number().positive().default(3600),
  env: EnvMap.default({}),
  /** Names of variables passed from your environment (secrets such as HF_TOKEN): recorded as [REDACTED]. */
  pass_env: z.array(z.string().regex(ENV_NAME, "expected an environment variable name")).default([]),
  /** Resource limits applied to the tool's process (Linux/macOS `ulimit`). */
  limits: z
    .strictObject({
      /** `ulimit -v`: virtual memory in KiB. A huge context then fails to allocate instead of swapping or meeting the OOM killer. */
      address_space_kib: z.number().int().positive().optional()
    })
    .optional(),
  /** Replace the home directory with `~` in everything stored (commands, paths, logs). Same as --redact-home. */
  redact_home: z.boolean().default(false),
  /** The most cells the plan may expand to; counted before any cell is built (a typo such as -ub: 1-1000000 is refused, not run). */
  max_cells: z.number().int().positive().default(DEFAULT_MAX_CELLS)
};

/** llama-bench tests: `-p`, `-n`, `-pg`, `-d`. Depths split cells; p, n and pg run inside each cell. */
const LlamaBenchTests = z
  .strictObject({
    p: IntList.optional(),
    n: IntList.optional(),
    /** `-pg pp,tg` pairs: `"512,128"`, `[512, 128]`, or a list of either. */
    pg: z
      .union(
        [
          z.string(),
          z.array(z.union([z.string(), z.array(z.number().int().nonnegative()).length(2)])).min(1),
          z.array(z.number().int().nonnegative()).length(2)
        ],
        {error: 'expected pp,tg pairs: "512,128", [512, 128] or a list of them'}
      )
      .optional(),
    d: IntList.optional()
  })
  .default({});

export const LlamaBenchPlan = z.strictObject({
  ...planKeys,
  runner: z.literal("llama-bench"),
  tests: LlamaBenchTests,
  /** false → `--no-warmup`. */
  warmup: z.boolean().default(true),
  /** An A/B run: two builds or settings, interleaved A B A B … (ab-plan.ts). */
  ab: AbSection.optional()
});

const Api = z.enum(["chat", "completions"], {
  error: "expected chat (/v1/chat/completions) or completions (/v1/completions)"
});

/** A server the endpoint runner starts before measuring and stops after. */
export const EndpointServer = z.strictObject({
  /** argv, program first (never a shell string). */
  command: z.array(Text).min(1, "expected the server's argv, program first"),
  /** GET this until it answers 200 (llama-server: /health; vLLM, SGLang: /health or /v1/models). */
  health_url: z.url({error: "expected an http(s) URL"}),
  startup_timeout_s: z.number().positive().default(600),
  env: EnvMap.default({}),
  pass_env: z.array(z.string().regex(ENV_NAME)).default([])
});

/** One OpenAI-compatible endpoint to measure. */
export const EndpointTarget = z.strictObject({
  /** Name in labels (`llama-server`, `vllm`); default: the runtime or the URL's host:port. */
  label: z.string().min(1).optional(),
  /** Base URL up to and including `/v1` (`http://127.0.0.1:8080/v1`). */
  base_url: z.url({error: "expected an http(s) URL such as http://127.0.0.1:8080/v1"}),
  /** The `model` field of each request. */
  model: z.string().min(1),
  api: Api.optional(),
  /** Engine behind the endpoint (llama.cpp, vllm, sglang, mlx, lmstudio), stored as the run's runtime. */
  runtime: z.string().min(1).optional(),
  /** Name of the environment variable holding the API key (the key itself never goes in a plan). */
  api_key_env: z.string().regex(ENV_NAME, "expected an environment variable name").optional(),
  server: EndpointServer.optional()
});

/**
 * The endpoint runner's section (the llama-benchy method): for each depth,
 * prompt size and concurrency, `runs` requests over a context nobody cached.
 * Either `targets:` or a single target's keys (base_url, model, …) inline.
 */
export const EndpointSection = z
  .strictObject({
    api: Api.default("chat"),
    /** Prompt sizes in tokens (llama-benchy --pp). */
    prompt_tokens: IntList.default([2048]),
    /** Tokens to generate (llama-benchy --tg). */
    gen_tokens: IntList.default([32]),
    /** Context depths in tokens before the prompt (llama-benchy --depth). */
    depths: IntList.default([0]),
    /** Repetitions per test (llama-benchy --runs). */
    runs: z.number().int().positive().default(3),
    /** Concurrent requests (llama-benchy --concurrency). */
    concurrency: IntList.default([1]),
    warmup: z.boolean().default(true),
    /** Ask the server not to reuse cached prompt prefixes (`cache_prompt: false`) besides using unseen text. */
    no_cache: z.boolean().default(true),
    /** How network latency is estimated for est. prompt time (llama-benchy --latency-mode). */
    latency_mode: z.enum(["api", "generation", "none"]).default("api"),
    request_timeout_s: z.number().positive().default(600),
    targets: z.array(EndpointTarget).min(1).optional(),
    // Single-target shorthand.
    label: z.string().min(1).optional(),
    base_url: z.url({error: "expected an http(s) URL such as http://127.0.0.1:8080/v1"}).optional(),
    model: z.string().min(1).optional(),
    runtime: z.string().min(1).optional(),
    api_key_env: z.string().regex(ENV_NAME).optional(),
    server: EndpointServer.optional()
  })
  .superRefine((section, ctx) => {
    const inline = section.base_url !== undefined || section.model !== undefined || section.server !== undefined;
    if (section.targets && inline)
      ctx.addIssue({
        code: "custom",
        path: ["targets"],
        message: "give either targets: or one target's base_url/model/server inline, not both"
      });
    if (!section.targets && (section.base_url === undefined || section.model === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: section.base_url === undefined ? ["base_url"] : ["model"],
        message: "expected base_url and model (or a targets: list)"
      });
    }
  });

export const EndpointPlan = z.strictObject({
  ...planKeys,
  runner: z.literal("endpoint"),
  endpoint: EndpointSection
});

const CommonPlan = z.object(planKeys);
/** What every runner's plan has. */
export type CommonPlan = z.output<typeof CommonPlan> & {runner: string};
export type LlamaBenchPlan = z.output<typeof LlamaBenchPlan>;
export type EndpointPlan = z.output<typeof EndpointPlan>;
export type EndpointSection = z.output<typeof EndpointSection>;
export type EndpointTarget = z.output<typeof EndpointTarget>;
export type EndpointServer = z.output<typeof EndpointServer>;
export type PlanModel = z.output<typeof Model>;
