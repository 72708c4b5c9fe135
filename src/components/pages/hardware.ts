/** The hardware page's tables: one row per GPU, one row per machine (the cards are shared: shared/hardware.ts). */
import * as Inputs from "@observablehq/inputs";
import {sourceLink} from "../shared/format.js";
import {vramText, type MachineFacts} from "../shared/hardware.js";

export const GPU_COLUMNS = ["machine", "index", "name", "vram_mib", "compute_capability", "pcie_current", "pcie_max", "pcie_bandwidth", "driver", "cuda", "power_limit"];

/** One row per GPU of every machine (machines without a GPU list get one row with the machine only). */
export function gpuTableRows(machines: MachineFacts[]): Record<string, string | number | null>[] {
  return machines.flatMap((m): Record<string, string | number | null>[] =>
    m.gpus.length
      ? m.gpus.map((g) => ({machine: m.label, index: g.index, name: g.name, vram_mib: g.vram_mib, compute_capability: g.compute_capability, pcie_current: g.pcie_current, pcie_max: g.pcie_max, pcie_bandwidth: g.pcie_bandwidth, driver: g.driver ?? (m.drivers[0] ?? null), cuda: g.cuda ?? (m.cuda[0] ?? null), power_limit: g.power_limit}))
      : [{machine: m.label, index: null, name: null, vram_mib: null, compute_capability: null, pcie_current: null, pcie_max: null, pcie_bandwidth: null, driver: m.drivers[0] ?? null, cuda: m.cuda[0] ?? null, power_limit: null}]
  );
}

export function gpuTable(machines: MachineFacts[]): HTMLElement {
  return Inputs.table(gpuTableRows(machines), {
    columns: GPU_COLUMNS,
    format: {vram_mib: (v: number | null) => (v === null ? "—" : String(v)), index: (v: number | null) => (v === null ? "—" : String(v))},
    header: {machine: "machine", index: "GPU", name: "name", vram_mib: "VRAM (MiB)", compute_capability: "compute cap.", pcie_current: "PCIe (current)", pcie_max: "PCIe (max)", pcie_bandwidth: "PCIe bandwidth", driver: "driver", cuda: "CUDA", power_limit: "power limit"},
    rows: 16,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}

export const MACHINE_COLUMNS = ["machine", "merged_labels", "gpus", "vram", "backend", "cpu", "driver", "cuda", "runtimes", "runs", "first_source"];

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
    header: {machine: "machine", merged_labels: "also described as", gpus: "GPUs", vram: "VRAM", backend: "backend", cpu: "CPU", driver: "driver", cuda: "CUDA", runtimes: "runtimes", runs: "runs", first_source: "raw lines"},
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
