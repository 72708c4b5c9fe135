/**
 * What nvidia-smi's fields mean, shared by its default table and its
 * `--query-gpu … --format=csv` output: which are measured quantities
 * (results) and which describe the GPU (kept on `hardware.gpus[].extra`).
 */
import type {Gpu, Result, Scalar} from "../../schema/schema.js";

/** Measured quantities: query field → metric. The unit comes from what was printed. */
export const MEASURED: Record<string, string> = {
  "memory.used": "memory_used",
  "memory.free": "memory_free",
  "memory.reserved": "memory_reserved",
  "power.draw": "power_draw",
  "power.draw.average": "power_draw_average",
  "power.draw.instant": "power_draw_instant",
  "temperature.gpu": "temperature_gpu",
  "temperature.memory": "temperature_memory",
  "utilization.gpu": "utilization_gpu",
  "utilization.memory": "utilization_memory",
  "utilization.encoder": "utilization_encoder",
  "utilization.decoder": "utilization_decoder",
  "fan.speed": "fan_speed"
};

/**
 * Units of fields whose output does not print one (temperatures are
 * degrees C; with `nounits,noheader` nothing names a unit), from
 * `nvidia-smi --help-query-gpu`. A printed unit (`[MiB]` in the header or
 * `MiB` after the value) always wins; a result whose unit came from here
 * says so in `extra.unit_from`.
 */
export const UNPRINTED_UNITS: Record<string, string> = {
  "temperature.gpu": "C",
  "temperature.memory": "C",
  // With `nounits` and `noheader` nothing names the unit; these are the fields' documented units.
  "memory.used": "MiB",
  "memory.free": "MiB",
  "memory.reserved": "MiB",
  "power.draw": "W",
  "power.draw.average": "W",
  "power.draw.instant": "W",
  "utilization.gpu": "%",
  "utilization.memory": "%",
  "utilization.encoder": "%",
  "utilization.decoder": "%",
  "fan.speed": "%"
};

export function gpuResult(args: {
  line: number;
  text: string;
  index: number | null;
  field: string;
  metric: string;
  unit: string;
  value: number;
  time?: string | null;
  scope?: "run" | "interval";
  seq?: number | null;
  extra?: Record<string, unknown>;
}): Result {
  const result: Result = {
    line: args.line,
    text: args.text,
    test: args.index === null ? "GPU" : `GPU ${args.index}`,
    kind: "hardware",
    n_prompt: null,
    n_gen: null,
    n_depth: null,
    scope: args.scope ?? "run",
    metric: args.metric,
    unit: args.unit,
    stat: "value",
    value: args.value,
    stddev: null,
    stddev_kind: null,
    repetitions: null,
    status: "ok",
    time: args.time ?? null,
    extra: {field: args.field, ...(args.index !== null ? {gpu_index: args.index} : {}), ...args.extra}
  };
  if (args.seq !== undefined && args.seq !== null) result.seq = args.seq;
  return result;
}

/** Merge what is known of one GPU (several rows of a `-l` loop describe the same GPU). */
export function mergeGpu(gpus: Gpu[], gpu: Gpu): void {
  const same = gpus.find(
    (g) => (gpu.index !== null && g.index === gpu.index) || (gpu.index === null && g.name === gpu.name)
  );
  if (!same) {
    gpus.push(gpu);
    return;
  }
  same.name ||= gpu.name;
  same.vram_mib ??= gpu.vram_mib;
  same.compute_capability ??= gpu.compute_capability;
  if (gpu.extra) same.extra = {...gpu.extra, ...same.extra} as Record<string, Scalar>;
}

/** `Sun Nov 22 02:22:43 2026` (nvidia-smi's first line) → `2026-11-22T02:22:43`, the machine's local time (no offset is printed). */
export function timestampLine(text: string): string | null {
  const m =
    /^\s*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{1,2})\s+(\d{2}:\d{2}:\d{2})\s+(\d{4})\s*$/.exec(
      text
    );
  if (!m) return null;
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].indexOf(m[1]) + 1;
  return `${m[4]}-${String(month).padStart(2, "0")}-${m[2].padStart(2, "0")}T${m[3]}`;
}
