/**
 * Every result against its hardware's limits: the peaks of the devices a
 * run used (devices.ts), the cost of its model's tokens (cost.ts), and for
 * each result the share of the peak it reached — bandwidth for generation
 * (tg), compute for prompt processing (pp). docs/efficiency.md has the method.
 */
import type {Gpu, Model, Result, Run, Settings} from "../schema/schema.js";
import {bytesPerToken, flopsPerToken, modelCost, type ModelCost} from "./cost.js";
import {matchDevice, statedCount, type DeviceMatch} from "./devices.js";

export interface MachinePeak {
  /** The table rows matched, e.g. `4× NVIDIA GeForce RTX 3080 20GB`. */
  device: string | null;
  /** Summed over the devices used. */
  bw_gbs: number | null;
  tflops: number | null;
}

const NO_PEAK: MachinePeak = {device: null, bw_gbs: null, tflops: null};

/** A ROCm device line names an APU `AMD Radeon Graphics` and its chip in a note (`gfx1151 (0x1151)`). */
function matchGpu(gpu: Gpu): DeviceMatch | null {
  const found = matchDevice(gpu.name, gpu.vram_mib);
  if (found) return found;
  for (const value of Object.values(gpu.extra ?? {})) {
    const arch = typeof value === "string" ? /^gfx[0-9a-f]+/i.exec(value.trim()) : null;
    if (arch) return matchDevice(arch[0], gpu.vram_mib);
  }
  return null;
}

/** `3/1`, `1,1,0,0` → the indexes of the devices given a share; null when none is printed. */
function splitDevices(tensorSplit: unknown): number[] | null {
  if (tensorSplit === undefined || tensorSplit === null || tensorSplit === "") return null;
  const shares = String(tensorSplit).split(/[/,]/).map(Number);
  if (shares.some((s) => !Number.isFinite(s)) || shares.every((s) => s === 0)) return null;
  return shares.flatMap((s, i) => (s > 0 ? [i] : []));
}

/**
 * The devices a run used and their summed peaks. Device lines first (all
 * devices listed, or only the main one with `split_mode none`, or those a
 * tensor split gives a share), then llama-bench's `gpu_info`, then the
 * hardware a writeup stated (`2× RTX 3060 12GB`). Any device not in the
 * table makes the peaks unknown.
 */
export function machinePeak(run: Run, settings: Settings): MachinePeak {
  const {gpus, gpu_info, stated} = run.hardware;
  let found: DeviceMatch[] = [];
  if (gpus.length) {
    let used = gpus;
    if (String(settings.split_mode ?? "") === "none")
      used = [gpus.find((g) => g.index === Number(settings.main_gpu ?? 0)) ?? gpus[0]];
    else {
      const shares = splitDevices(settings.tensor_split);
      if (shares) used = gpus.filter((g, i) => shares.includes(g.index ?? i));
    }
    const matched = used.map(matchGpu);
    if (!used.length || matched.some((m) => m === null)) return NO_PEAK;
    found = matched as DeviceMatch[];
  } else {
    const names = gpu_info ? gpu_info.split(/\s*,\s*/).filter(Boolean) : [];
    if (names.length) {
      const matched = names.map((n) => matchDevice(n));
      if (matched.some((m) => m === null)) return NO_PEAK;
      found = matched as DeviceMatch[];
    } else if (stated) {
      const {count, name} = statedCount(stated);
      const match = matchDevice(name);
      if (!match) return NO_PEAK;
      found = Array.from({length: count}, () => match);
    } else return NO_PEAK;
  }
  const sum = (key: "bw_gbs" | "fp16_tflops") =>
    found.some((d) => d[key] === null) ? null : Math.round(found.reduce((a, d) => a + d[key]!, 0) * 1000) / 1000;
  const names = [...new Set(found.map((d) => d.name))];
  const device = names.length === 1 && found.length > 1 ? `${found.length}× ${names[0]}` : names.join(" + ");
  return {device, bw_gbs: sum("bw_gbs"), tflops: sum("fp16_tflops")};
}

/**
 * Whether the weights all sit in the devices' memory: no layers left on the
 * CPU (`-ngl 0`, or fewer than the model's layers when the load log says
 * how many), no experts or tensors moved to host memory.
 */
function fullyOffloaded(run: Run, settings: Settings): boolean {
  const cpuMoe = settings.n_cpu_moe ?? settings["n-cpu-moe"] ?? settings["cpu-moe"];
  if (cpuMoe !== undefined && cpuMoe !== null && cpuMoe !== 0 && cpuMoe !== "0" && cpuMoe !== false) return false;
  const overrides = settings.tensor_buft_overrides ?? settings["override-tensor"] ?? settings.override_tensor;
  if (overrides !== undefined && overrides !== null && overrides !== "" && overrides !== "none") return false;
  const ngl = settings.n_gpu_layers ?? settings["n-gpu-layers"] ?? settings.ngl;
  // Absent, `auto`/`all` or -1 (llama.cpp's "as many as fit"): every layer on the devices.
  if (ngl === undefined || ngl === null || ngl === "" || ngl === "auto" || ngl === "all" || ngl === -1 || ngl === "-1")
    return true;
  const layers = Number((run.extra.model_metadata as Record<string, unknown> | undefined)?.n_layer);
  const n = Number(ngl);
  return Number.isFinite(n) && n > 0 && (!Number.isFinite(layers) || n > layers);
}

/** Settings that mean a token costs more or less than one pass of the model: speculative decoding, draft models. */
function speculative(settings: Settings): boolean {
  return Object.keys(settings).some((k) => /specul|draft|mtp/i.test(k));
}

/** What the export computes once per run (and per result override): peaks, token costs, and whether a ratio means anything. */
export interface RunEfficiency {
  peak: MachinePeak;
  cost: ModelCost;
  /** Whether one token's weights come from the devices' memory once per token: full offload, no speculative decoding. */
  comparable: boolean;
}

export function runEfficiency(run: Run, result: Pick<Result, "model" | "settings">): RunEfficiency {
  const model: Model = {...run.model, ...result.model};
  const settings: Settings = {...run.settings, ...result.settings};
  return {
    peak: machinePeak(run, settings),
    cost: modelCost(run, model, settings),
    comparable: fullyOffloaded(run, settings) && !speculative(settings)
  };
}

export interface ResultEfficiency {
  bytes_per_token: number | null;
  flops_per_token: number | null;
  bw_util: number | null;
  compute_util: number | null;
}

const NONE: ResultEfficiency = {bytes_per_token: null, flops_per_token: null, bw_util: null, compute_util: null};

/**
 * A result's cost per token and share of the peak: tg throughput (tok/s of
 * one sequence) × bytes per token ÷ peak bandwidth; pp throughput × FLOPs
 * per token ÷ peak FLOP/s. Only throughputs in tok/s of one stream
 * (concurrency absent or 1) that ran, fully offloaded and without
 * speculative decoding, get a ratio.
 */
export function resultEfficiency(run: RunEfficiency, result: Result): ResultEfficiency {
  if (result.kind !== "tg" && result.kind !== "pp") return NONE;
  if (result.concurrency !== undefined && result.concurrency !== null && result.concurrency !== 1) return NONE;
  const bytes = result.kind === "tg" ? bytesPerToken(run.cost, result.n_depth, result.n_gen) : null;
  const flops = result.kind === "pp" ? flopsPerToken(run.cost, result.n_depth, result.n_prompt) : null;
  const rate =
    result.metric === "throughput" &&
    result.unit === "tok/s" &&
    result.status === "ok" &&
    result.value !== null &&
    result.value > 0 &&
    run.comparable
      ? result.value
      : null;
  return {
    bytes_per_token: bytes,
    flops_per_token: flops,
    bw_util: rate !== null && bytes !== null && run.peak.bw_gbs ? (rate * bytes) / (run.peak.bw_gbs * 1e9) : null,
    compute_util: rate !== null && flops !== null && run.peak.tflops ? (rate * flops) / (run.peak.tflops * 1e12) : null
  };
}

/** A result's share of its limit: `bw_util` for tg, `compute_util` for pp, else null. */
export function limitShare(kind: string, efficiency: ResultEfficiency): number | null {
  return kind === "tg" ? efficiency.bw_util : kind === "pp" ? efficiency.compute_util : null;
}
