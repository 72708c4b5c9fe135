/** The hardware page's tables: one row per GPU, one row per machine (the cards are shared: shared/hardware.ts). */
import * as Inputs from "@observablehq/inputs";
import {html} from "htl";
import * as aq from "../shared/arquero.js";
import type {ResultRow} from "../shared/data.js";
import {limitShare, limitText} from "../shared/efficiency.js";
import {formatPercent, sourceLink} from "../shared/format.js";
import {vramText, type MachineFacts} from "../shared/hardware.js";

export const GPU_COLUMNS = [
  "machine",
  "index",
  "name",
  "vram_mib",
  "compute_capability",
  "pcie_current",
  "pcie_max",
  "pcie_bandwidth",
  "driver",
  "cuda",
  "power_limit"
];

/** One row per GPU of every machine (machines without a GPU list get one row with the machine only). */
export function gpuTableRows(machines: MachineFacts[]): Record<string, string | number | null>[] {
  return machines.flatMap((m): Record<string, string | number | null>[] =>
    m.gpus.length
      ? m.gpus.map((g) => ({
          machine: m.label,
          index: g.index,
          name: g.name,
          vram_mib: g.vram_mib,
          compute_capability: g.compute_capability,
          pcie_current: g.pcie_current,
          pcie_max: g.pcie_max,
          pcie_bandwidth: g.pcie_bandwidth,
          driver: g.driver ?? m.drivers[0] ?? null,
          cuda: g.cuda ?? m.cuda[0] ?? null,
          power_limit: g.power_limit
        }))
      : [
          {
            machine: m.label,
            index: null,
            name: null,
            vram_mib: null,
            compute_capability: null,
            pcie_current: null,
            pcie_max: null,
            pcie_bandwidth: null,
            driver: m.drivers[0] ?? null,
            cuda: m.cuda[0] ?? null,
            power_limit: null
          }
        ]
  );
}

export function gpuTable(machines: MachineFacts[]): HTMLElement {
  return Inputs.table(gpuTableRows(machines), {
    columns: GPU_COLUMNS,
    format: {
      vram_mib: (v: number | null) => (v === null ? "—" : String(v)),
      index: (v: number | null) => (v === null ? "—" : String(v))
    },
    header: {
      machine: "machine",
      index: "GPU",
      name: "name",
      vram_mib: "VRAM (MiB)",
      compute_capability: "compute cap.",
      pcie_current: "PCIe (current)",
      pcie_max: "PCIe (max)",
      pcie_bandwidth: "PCIe bandwidth",
      driver: "driver",
      cuda: "CUDA",
      power_limit: "power limit"
    },
    rows: 16,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}

export const MACHINE_COLUMNS = [
  "machine",
  "merged_labels",
  "gpus",
  "vram",
  "backend",
  "cpu",
  "driver",
  "cuda",
  "runtimes",
  "runs",
  "first_source"
];

/** One row per machine, with its runs linked to their raw lines in the table. */
export function machineTableRows(machines: MachineFacts[]): Record<string, string | number | null>[] {
  return machines.map((m) => ({
    machine: m.label,
    merged_labels: m.merged.join("; ") || null,
    gpus: m.gpu_count,
    vram: vramText(m),
    backend: m.backends.join("; ") || null,
    cpu: m.cpus.join("; ") || null,
    driver: m.drivers.join("; ") || null,
    cuda: m.cuda.join("; ") || null,
    runtimes: m.runtimes.join(", ") || null,
    runs: m.runs.length,
    first_source: m.runs[0] ? `${m.runs[0].source_sha256}:${m.runs[0].line}` : null
  }));
}

/** One row per machine, each linked to the first raw lines its runs came from. */
export function machineTable(machines: MachineFacts[]): HTMLElement {
  const rows = machineTableRows(machines).map((r, i) => ({...r, i}));
  type Row = (typeof rows)[number];
  return Inputs.table(rows, {
    columns: ["machine", "gpus", "vram", "backend", "cpu", "driver", "cuda", "runtimes", "runs", "first_source"],
    header: {
      machine: "machine",
      merged_labels: "also described as",
      gpus: "GPUs",
      vram: "VRAM",
      backend: "backend",
      cpu: "CPU",
      driver: "driver",
      cuda: "CUDA",
      runtimes: "runtimes",
      runs: "runs",
      first_source: "raw lines"
    },
    format: {
      first_source: (_: string, i: number, data: Row[]) => {
        const run = machines[data[i].i].runs[0];
        return run ? sourceLink(run.source_sha256, run.line, `${run.file}:${run.line}`) : "—";
      }
    },
    rows: 12,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}

// ─── against the limits ─────────────────────────────────────────────────────

/** One machine's peaks and its best result against each limit (docs/efficiency.md). */
export interface MachineLimit {
  machine: string;
  peak_device: string | null;
  peak_bw_gbs: number | null;
  peak_tflops: number | null;
  best_tg: ResultRow | null;
  best_pp: ResultRow | null;
}

/** Per machine (the `hardware` label), its devices' peaks and the tg and pp results closest to their limits. */
export function machineLimits(rows: ResultRow[]): MachineLimit[] {
  const machineOf = (row: ResultRow) => String(row.hardware ?? row.peak_device);
  const withPeaks = rows.filter((row) => row.peak_bw_gbs !== null || row.peak_tflops !== null);
  return aq
    .groupRows(withPeaks, machineOf)
    .map((list) => {
      // The first of the rows nearest their limit, of tg or of the other kinds.
      const closest = (tg: boolean) =>
        list
          .filter((r) => (r.kind === "tg") === tg && limitShare(r) !== null)
          .reduce<ResultRow | null>((best, r) => (!best || limitShare(r)! > limitShare(best)! ? r : best), null);
      return {
        machine: machineOf(list[0]),
        peak_device: list[0].peak_device ?? null,
        peak_bw_gbs: list[0].peak_bw_gbs ?? null,
        peak_tflops: list[0].peak_tflops ?? null,
        best_tg: closest(true),
        best_pp: closest(false)
      };
    })
    .sort((a, b) => a.machine.localeCompare(b.machine));
}

export const LIMIT_COLUMNS = [
  "machine",
  "peak_device",
  "peak_bw_gbs",
  "peak_tflops",
  "best_tg_share",
  "best_tg",
  "best_tg_source",
  "best_pp_share",
  "best_pp",
  "best_pp_source"
];

const bestText = (row: ResultRow | null) =>
  row ? `${row.model_label ?? row.model ?? "?"} ${row.test}: ${row.value} tok/s` : null;

export function machineLimitRows(limits: MachineLimit[]): Record<string, string | number | null>[] {
  return limits.map((m) => ({
    machine: m.machine,
    peak_device: m.peak_device,
    peak_bw_gbs: m.peak_bw_gbs,
    peak_tflops: m.peak_tflops,
    best_tg_share: m.best_tg ? limitShare(m.best_tg) : null,
    best_tg: bestText(m.best_tg),
    best_tg_source: m.best_tg ? `${m.best_tg.source_sha256}:${m.best_tg.line}` : null,
    best_pp_share: m.best_pp ? limitShare(m.best_pp) : null,
    best_pp: bestText(m.best_pp),
    best_pp_source: m.best_pp ? `${m.best_pp.source_sha256}:${m.best_pp.line}` : null
  }));
}

/** Each machine's peaks and best efficiency, each best result linked to its raw line. */
export function machineLimitTable(limits: MachineLimit[]): HTMLElement {
  const rows = limits.map((m, i) => ({...m, i}));
  type Row = (typeof rows)[number];
  const best = (row: ResultRow | null) =>
    row
      ? html`<span title=${limitText(row)}>${formatPercent(limitShare(row))}</span> · ${sourceLink(row.source_sha256, row.line, bestText(row)!)}`
      : "—";
  return Inputs.table(rows, {
    columns: ["machine", "peak_device", "peak_bw_gbs", "peak_tflops", "best_tg", "best_pp"],
    header: {
      machine: "machine",
      peak_device: "devices (table row)",
      peak_bw_gbs: "peak GB/s",
      peak_tflops: "peak FP16 TFLOP/s",
      best_tg: "best tg: % of bandwidth limit",
      best_pp: "best pp: % of compute limit"
    },
    format: {
      peak_device: (v: string | null) => v ?? "not in the device table",
      peak_bw_gbs: (v: number | null) => (v === null ? "—" : String(v)),
      peak_tflops: (v: number | null) => (v === null ? "—" : String(v)),
      best_tg: (_: unknown, i: number, data: Row[]) => best(data[i].best_tg),
      best_pp: (_: unknown, i: number, data: Row[]) => best(data[i].best_pp)
    },
    rows: 12,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}
