/**
 * What runners build their cells with: one cell per tool invocation. A cell's id hashes its normalized parameters,
 * so `--resume` finds it whatever the plan's spelling; its argv is built item by item (plan values never pass
 * through a shell).
 */
import {createHash} from "node:crypto";
import {basename} from "node:path";
import {testKind, testName} from "../formats/shared/test-name.js";
import type {KeyPath} from "./plan-file.js";
import type {
  CommonPlan,
  EndpointPlan,
  EndpointServer,
  EndpointTarget,
  LlamaBenchPlan,
  PlanModel
} from "./plan-schema.js";
import type {LlamaBenchParam} from "./llama-bench-options.js";
import {
  expandParamValues,
  knownParamNames,
  llamaBenchParam,
  RangeError,
  RESERVED_OPTIONS,
  SETTING_PARAMS,
  TEST_PARAMS
} from "./llama-bench-options.js";
import type {Cell} from "./types.js";
import type {CellLimits, ExpectedTest} from "../schema/capture.js";

export type Fail = (path: KeyPath, message: string) => void;

export function passEnv(names: string[], from: NodeJS.ProcessEnv, path: KeyPath, fail: Fail): Record<string, string> {
  const out: Record<string, string> = {};
  names.forEach((name, i) => {
    const value = from[name];
    if (value === undefined) fail([...path, i], `${name} is not set in your environment`);
    else out[name] = value;
  });
  return out;
}

/** Stable id: the runner and its parameters, normalized (sorted keys), hashed. */
export function cellId(runner: string, params: unknown): string {
  return createHash("sha256").update(canonicalJson({runner, params})).digest("hex").slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

export interface ModelRef {
  path: string;
  label: string;
}

export function modelRef(model: PlanModel): ModelRef {
  return typeof model === "string"
    ? {path: model, label: modelLabel(model)}
    : {path: model.path, label: model.label ?? modelLabel(model.path)};
}

/** `…/Qwen3.5-122B-A10B-UD-IQ4_XS-00001-of-00003.gguf` → `Qwen3.5-122B-A10B-UD-IQ4_XS`. */
export function modelLabel(path: string): string {
  return basename(path)
    .replace(/\.gguf$/i, "")
    .replace(/-\d{5}-of-\d{5}$/, "");
}

function binaryArgv(plan: CommonPlan, fallback: string[]): string[] {
  return plan.binary === undefined ? fallback : Array.isArray(plan.binary) ? plan.binary : [plan.binary];
}

/** Cartesian product of named value lists, in key order (first key slowest). */
function product(entries: [string, string[]][]): Record<string, string>[] {
  let combos: Record<string, string>[] = [{}];
  for (const [key, values] of entries)
    combos = combos.flatMap((combo) => values.map((value) => ({...combo, [key]: value})));
  return combos;
}

/** Whether the product of the plan's list lengths passes its max_cells (said through fail), before any cell is built. */
function tooManyCells(plan: CommonPlan, lengths: number[], fail: Fail): boolean {
  const count = lengths.reduce((n, k) => n * k, 1);
  if (count <= plan.max_cells) return false;
  fail(
    Object.keys(plan.matrix).length ? ["matrix"] : [],
    `the plan expands to ${count.toLocaleString("en-US")} cells, more than max_cells (${plan.max_cells}); narrow the matrix or raise max_cells: in the plan`
  );
  return true;
}

function limitsOf(plan: CommonPlan): CellLimits | undefined {
  return plan.limits?.address_space_kib ? {address_space_kib: plan.limits.address_space_kib} : undefined;
}

// ─── llama-bench ────────────────────────────────────────────────────────────

/** llama-bench's defaults for -p and -n, passed explicitly so each cell knows its tests. */
const DEFAULT_PROMPT = [512];
const DEFAULT_GEN = [128];

interface MatrixEntry {
  param: LlamaBenchParam;
  values: string[];
}

function llamaBenchMatrix(plan: LlamaBenchPlan, fail: Fail): MatrixEntry[] {
  const entries = new Map<string, MatrixEntry>();
  for (const [key, value] of Object.entries(plan.matrix)) {
    const path = ["matrix", key];
    const reserved = RESERVED_OPTIONS[key] ?? RESERVED_OPTIONS[`-${key}`] ?? RESERVED_OPTIONS[`--${key}`];
    const param = llamaBenchParam(key);
    if (param && TEST_PARAMS.includes(param)) {
      fail(path, `${key} is a test: put it under tests: (p, n, pg, d)`);
      continue;
    }
    if (!param) {
      fail(
        path,
        reserved
          ? `${key}: ${reserved}`
          : `unknown llama-bench parameter "${key}"; known: ${knownParamNames().join(", ")} (anything else goes in args:)`
      );
      continue;
    }
    if (entries.has(param.field)) {
      fail(path, `${param.field} is already set by another key of the matrix`);
      continue;
    }
    try {
      const values = [...new Set(expandParamValues(param, value))];
      if (values.length === 0) fail(path, `"${String(value)}" expands to no values`);
      else entries.set(param.field, {param, values});
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      fail(path, error.message);
    }
  }
  // Stable order: llama-bench's own parameter order, whatever the plan's key order.
  return SETTING_PARAMS.flatMap((p) => (entries.has(p.field) ? [entries.get(p.field)!] : []));
}

function pgPairs(pg: LlamaBenchPlan["tests"]["pg"], fail: Fail): [number, number][] {
  if (pg === undefined) return [];
  const items: (string | number[])[] =
    typeof pg === "string"
      ? [pg]
      : pg.length === 2 && pg.every((x) => typeof x === "number")
        ? [pg as number[]]
        : (pg as (string | number[])[]);
  const pairs: [number, number][] = [];
  items.forEach((item, i) => {
    if (Array.isArray(item)) pairs.push([item[0], item[1]]);
    else {
      // llama-bench: string_split(value, ',') must give exactly two numbers.
      const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(item);
      if (m) pairs.push([Number(m[1]), Number(m[2])]);
      else
        fail(
          typeof pg === "string" ? ["tests", "pg"] : ["tests", "pg", i],
          `expected "pp,tg" (two integers), found "${item}"`
        );
    }
  });
  return pairs;
}

/** Tests llama-bench runs for one depth, in its own order: prompts, then generations, then pp+tg pairs; zeros are skipped. */
export function llamaBenchExpected(
  prompts: number[],
  gens: number[],
  pairs: [number, number][],
  depth: number
): ExpectedTest[] {
  const shapes: [number, number][] = [
    ...prompts.filter((p) => p !== 0).map((p): [number, number] => [p, 0]),
    ...gens.filter((n) => n !== 0).map((n): [number, number] => [0, n]),
    ...pairs.filter(([p, n]) => p !== 0 || n !== 0)
  ];
  return shapes.map(([n_prompt, n_gen]) => ({
    test: testName(n_prompt, n_gen, depth),
    kind: testKind(n_prompt, n_gen),
    n_prompt,
    n_gen,
    n_depth: depth,
    metric: "throughput",
    unit: "tok/s",
    stat: "mean"
  }));
}

export function llamaBenchCells(plan: LlamaBenchPlan, env: Record<string, string>, fail: Fail): Cell[] {
  if (!plan.models) {
    fail(["models"], "expected at least one model path (llama-bench needs -m)");
    return [];
  }
  checkArgs(plan.args, fail);
  const matrix = llamaBenchMatrix(plan, fail);
  const prompts = plan.tests.p ?? DEFAULT_PROMPT;
  const gens = plan.tests.n ?? DEFAULT_GEN;
  const pairs = pgPairs(plan.tests.pg, fail);
  const depths = [...new Set(plan.tests.d ?? [0])];
  const binary = binaryArgv(plan, ["llama-bench"]);
  const varying = matrix.filter((e) => e.values.length > 1).map((e) => e.param.field);
  if (tooManyCells(plan, [plan.models.length, depths.length, ...matrix.map((e) => e.values.length)], fail)) return [];
  const cells: Cell[] = [];
  for (const model of plan.models.map(modelRef)) {
    for (const combo of product(matrix.map((e) => [e.param.field, e.values]))) {
      for (const depth of depths) {
        const expected = llamaBenchExpected(prompts, gens, pairs, depth);
        if (expected.length === 0) {
          fail(["tests"], "every test is zero: llama-bench would run nothing");
          return [];
        }
        const settingArgs = matrix.flatMap((e) => [e.param.short ?? e.param.long, combo[e.param.field]]);
        const argv = [
          ...binary,
          "-m",
          model.path,
          "-p",
          prompts.join(","),
          "-n",
          gens.join(","),
          ...pairs.flatMap(([p, n]) => ["-pg", `${p},${n}`]),
          "-d",
          String(depth),
          ...(plan.repetitions ? ["-r", String(plan.repetitions)] : []),
          ...(plan.warmup ? [] : ["--no-warmup"]),
          ...settingArgs,
          ...plan.args,
          "-o",
          "jsonl"
        ];
        const settings = Object.fromEntries(matrix.map((e) => [e.param.field, typed(e.param, combo[e.param.field])]));
        const params = {
          binary,
          model: model.path,
          settings,
          n_prompt: prompts,
          n_gen: gens,
          n_pg: pairs,
          n_depth: depth,
          repetitions: plan.repetitions ?? null,
          warmup: plan.warmup,
          args: plan.args,
          env: plan.env,
          limits: limitsOf(plan) ?? null
        };
        const label = [
          model.label,
          ...varying.map(
            (field) => `${matrix.find((e) => e.param.field === field)!.param.short ?? field} ${combo[field]}`
          ),
          `d${depth}`
        ].join(" · ");
        cells.push({
          id: cellId("llama-bench", params),
          runner: "llama-bench",
          label,
          params: {...params, model_label: model.label},
          argv,
          expected,
          timeout_s: plan.timeout_s,
          tags: {...plan.tags},
          env,
          ...(limitsOf(plan) ? {limits: limitsOf(plan)} : {})
        });
      }
    }
  }
  return cells;
}

function typed(param: LlamaBenchParam, value: string): string | number {
  return param.kind === "int-range" || param.kind === "int-range-signed" ? Number(value) : value;
}

function checkArgs(args: string[], fail: Fail): void {
  args.forEach((arg, i) => {
    const reason = RESERVED_OPTIONS[arg];
    if (reason) fail(["args", i], `${arg}: ${reason}`);
  });
}

// ─── endpoint ───────────────────────────────────────────────────────────────

/** What the endpoint runner gets in `cell.params` (one cell per target). */
export interface EndpointCellParams {
  target: EndpointTarget & {label: string; api: "chat" | "completions"};
  prompt_tokens: number[];
  gen_tokens: number[];
  depths: number[];
  runs: number;
  concurrency: number[];
  warmup: boolean;
  no_cache: boolean;
  latency_mode: "api" | "generation" | "none";
  request_timeout_s: number;
  /** The server's argv and environment with pass_env resolved (raw values: never store them). */
  server: (EndpointServer & {env: Record<string, string>}) | null;
}

export function endpointCells(
  plan: EndpointPlan,
  env: Record<string, string>,
  callerEnv: NodeJS.ProcessEnv,
  fail: Fail
): Cell[] {
  const section = plan.endpoint;
  if (plan.repetitions !== undefined)
    fail(["repetitions"], "the endpoint runner repeats each test endpoint.runs times; use endpoint.runs");
  if (plan.models)
    fail(
      ["models"],
      "the endpoint runner measures endpoint.model (or each target's model); models: is for tools that load files"
    );
  if (Object.keys(plan.matrix).length)
    fail(
      ["matrix"],
      "the endpoint runner has no matrix: list prompt_tokens, gen_tokens, depths and concurrency under endpoint:"
    );
  const targets: EndpointTarget[] = section.targets ?? [
    {
      label: section.label,
      base_url: section.base_url!,
      model: section.model!,
      runtime: section.runtime,
      api_key_env: section.api_key_env,
      server: section.server
    }
  ];
  return targets.map((target, i) => {
    const path: KeyPath = section.targets ? ["endpoint", "targets", i] : ["endpoint"];
    const label = target.label ?? target.runtime ?? new URL(target.base_url).host;
    const api = target.api ?? section.api;
    if (target.api_key_env && callerEnv[target.api_key_env] === undefined)
      fail([...path, "api_key_env"], `${target.api_key_env} is not set in your environment`);
    const server = target.server
      ? {
          ...target.server,
          env: {
            ...target.server.env,
            ...passEnv(target.server.pass_env, callerEnv, [...path, "server", "pass_env"], fail)
          }
        }
      : null;
    const params: EndpointCellParams = {
      target: {...target, label, api},
      prompt_tokens: section.prompt_tokens,
      gen_tokens: section.gen_tokens,
      depths: section.depths,
      runs: section.runs,
      concurrency: section.concurrency,
      warmup: section.warmup,
      no_cache: section.no_cache,
      latency_mode: section.latency_mode,
      request_timeout_s: section.request_timeout_s,
      server
    };
    // The id leaves out secrets' values: pass_env names are in the plan, their values are not.
    const identity = {...params, server: target.server ?? null, env: plan.env, pass_env: plan.pass_env};
    return {
      id: cellId("endpoint", identity),
      runner: "endpoint",
      label: `${label} · ${target.model}`,
      params: params as unknown as Record<string, unknown>,
      argv: [],
      expected: endpointExpected(params),
      timeout_s: plan.timeout_s,
      tags: {...plan.tags},
      env,
      ...(limitsOf(plan) ? {limits: limitsOf(plan)} : {})
    };
  });
}

/** llama-benchy's tests: for each concurrency, depth and prompt size, a pp test and a tg test. */
export function endpointExpected(
  params: Pick<EndpointCellParams, "prompt_tokens" | "gen_tokens" | "depths" | "concurrency">
): ExpectedTest[] {
  const out: ExpectedTest[] = [];
  for (const concurrency of params.concurrency) {
    for (const depth of params.depths) {
      for (const pp of params.prompt_tokens) {
        for (const tg of params.gen_tokens) {
          const suffix = concurrency > 1 ? ` (c${concurrency})` : "";
          // The shape the endpoint reader gives its results (a pp result has no n_gen, a tg result no n_prompt):
          // missingTests() matches on it, so 0 here would find none of them.
          out.push({
            test: `${testName(pp, 0, depth)}${suffix}`,
            kind: "pp",
            n_prompt: pp,
            n_gen: null,
            n_depth: depth,
            concurrency,
            metric: "throughput",
            unit: "tok/s",
            stat: "mean"
          });
          out.push({
            test: `${testName(0, tg, depth)}${suffix}`,
            kind: "tg",
            n_prompt: null,
            n_gen: tg,
            n_depth: depth,
            concurrency,
            metric: "throughput",
            unit: "tok/s",
            stat: "mean"
          });
        }
      }
    }
  }
  return out;
}

// ─── tools run as they are (runners/wrapper.ts) ──────────────────────────────

export interface WrapperCells {
  binary: string[];
  /** Options benchbook sets itself. */
  reserved: Record<string, string>;
  /** The option the tool takes its model from. */
  modelOption: string;
  /** The tool repeats natively with this option (else repetitions repeat the cell). */
  repetitionOption: string | null;
  expected(options: Record<string, string | true>): ExpectedTest[];
}

export const num = (value: string | true | undefined): number | null =>
  typeof value === "string" && /^\d+$/.test(value) ? Number(value) : null;

export const SERVING_RESULT_OPTIONS = "benchbook saves the result file itself (in a scratch directory) and imports it";

/**
 * A serving benchmark's one test, named the way the vllm/sglang formats name
 * it (scripts/formats/serving/serving-run.ts): `<dataset> in<input> out<output> c<concurrency>`.
 */
export function servingTest(o: Record<string, string | true>, input: string[], output: string[]): ExpectedTest {
  const first = (names: string[]) => num(names.map((n) => o[n]).find((v) => v !== undefined));
  const dataset = typeof o["--dataset-name"] === "string" ? o["--dataset-name"] : null;
  const n_prompt = first(input);
  const n_gen = first(output);
  const concurrency = num(o["--max-concurrency"]);
  const test = [
    dataset ?? "serve",
    n_prompt !== null ? `in${n_prompt}` : "",
    n_gen !== null ? `out${n_gen}` : "",
    concurrency !== null ? `c${concurrency}` : ""
  ]
    .filter(Boolean)
    .join(" ");
  return {
    test,
    kind: "serve",
    n_prompt,
    n_gen,
    n_depth: null,
    concurrency,
    metric: "output_throughput",
    unit: "tok/s",
    stat: "value"
  };
}

/** `max-concurrency` → `--max-concurrency`; `-p` stays. */
function optionName(key: string): string {
  return key.startsWith("-") ? key : `--${key}`;
}

export function wrapperCells(plan: CommonPlan, spec: WrapperCells, env: Record<string, string>, fail: Fail): Cell[] {
  const binary = binaryArgv(plan, spec.binary);
  plan.args.forEach((arg, i) => {
    if (spec.reserved[arg.split("=")[0]]) fail(["args", i], `${arg}: ${spec.reserved[arg.split("=")[0]]}`);
  });
  const entries: [string, string[]][] = [];
  for (const [key, value] of Object.entries(plan.matrix)) {
    const option = optionName(key);
    if (spec.reserved[option]) fail(["matrix", key], `${option}: ${spec.reserved[option]}`);
    else if (option === spec.modelOption) fail(["matrix", key], "models are listed under models:");
    else entries.push([option, (Array.isArray(value) ? value : [value]).map((v) => JSON.stringify(v))]);
  }
  const models = plan.models?.map(modelRef) ?? [null];
  const repeats = spec.repetitionOption ? 1 : (plan.repetitions ?? 1);
  const varying = entries.filter(([, values]) => values.length > 1).map(([option]) => option);
  if (tooManyCells(plan, [models.length, repeats, ...entries.map(([, values]) => values.length)], fail)) return [];
  const cells: Cell[] = [];
  for (const model of models) {
    for (const combo of product(entries)) {
      const options: Record<string, string | true> = {};
      const optionArgs: string[] = [];
      for (const [option, json] of Object.entries(combo)) {
        const value = JSON.parse(json) as string | number | boolean;
        // `true`: a flag given alone; `false`: a flag left out.
        if (value === false) continue;
        options[option] = value === true ? true : String(value);
        optionArgs.push(...(value === true ? [option] : [option, String(value)]));
      }
      const argv = [
        ...binary,
        ...(model ? [spec.modelOption, model.path] : []),
        ...optionArgs,
        ...(spec.repetitionOption && plan.repetitions ? [spec.repetitionOption, String(plan.repetitions)] : []),
        ...plan.args
      ];
      const argvOptions = {...options, ...argsOptions(plan.args)};
      for (let repetition = 1; repetition <= repeats; repetition++) {
        const params = {
          binary,
          model: model?.path ?? null,
          options,
          args: plan.args,
          repetitions: plan.repetitions ?? null,
          repetition: repeats > 1 ? repetition : null,
          env: plan.env,
          limits: limitsOf(plan) ?? null
        };
        const label = [
          model?.label ?? plan.runner,
          ...varying.map((o) => `${o} ${String(JSON.parse(combo[o]))}`),
          ...(repeats > 1 ? [`#${repetition}`] : [])
        ].join(" · ");
        cells.push({
          id: cellId(plan.runner, params),
          runner: plan.runner,
          label,
          params: {...params, model_label: model?.label ?? null},
          argv,
          expected: spec.expected(argvOptions),
          timeout_s: plan.timeout_s,
          tags: {...plan.tags},
          env,
          ...(limitsOf(plan) ? {limits: limitsOf(plan)} : {})
        });
      }
    }
  }
  return cells;
}

/** Options given in args (`--max-concurrency 4`), so expected tests see them too. */
function argsOptions(args: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("-")) continue;
    const eq = arg.indexOf("=");
    if (eq > 0) out[arg.slice(0, eq)] = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1].startsWith("-")) out[arg] = args[++i];
    else out[arg] = true;
  }
  return out;
}
