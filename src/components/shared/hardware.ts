/**
 * One card per machine with what its runs say about it, each fact linked to its runs and lines; disagreeing
 * values (a driver upgraded between runs) are all listed.
 */
import {html} from "htl";
import * as aq from "./arquero.js";
import type {ResultRow} from "./data.js";
import {sourceLink} from "./format.js";

type Obj = Record<string, any>;

export interface GpuFacts {
  index: number;
  name: string;
  vram_mib: number | null;
  compute_capability: string | null;
  /** `Gen4 x16` (current link), `Gen3 x16` (maximum), as stated. */
  pcie_current: string | null;
  pcie_max: string | null;
  pcie_bandwidth: string | null;
  driver: string | null;
  cuda: string | null;
  power_limit: string | null;
}

export interface Provenance {
  run_id: string;
  tool: string;
  source_sha256: string;
  file: string;
  line: number;
}

export interface MachineFacts {
  label: string;
  gpus: GpuFacts[];
  gpu_count: number | null;
  vram_total_mib: number | null;
  backends: string[];
  cpus: string[];
  drivers: string[];
  cuda: string[];
  memory: string[];
  os: string[];
  runtimes: string[];
  tools: string[];
  models: string[];
  /** Other labels of this machine that the store's aliases (data/aliases.yaml) merged into it. */
  merged: string[];
  runs: Provenance[];
}

const text = (v: unknown): string | null => (v === null || v === undefined || v === "" ? null : String(v));

/** `Gen4 x16` from a generation and a width as printed (numbers or text). */
function link(gen: unknown, width: unknown): string | null {
  const g = text(gen);
  const w = text(width);
  if (!g && !w) return null;
  const gs = g ? (/^\d+$/.test(g) ? `Gen${g}` : g) : "Gen?";
  const ws = w ? (/^\d+$/.test(w) ? `x${w}` : w) : "";
  return `${gs}${ws ? ` ${ws}` : ""}`;
}

function gpuFacts(gpu: Obj, env: Obj | null, envNvidia: Obj | null, versions: Obj | null): GpuFacts {
  const x: Obj = gpu.extra ?? {};
  const e = env ?? {};
  return {
    index: Number(gpu.index ?? e.index ?? 0),
    name: text(gpu.name) ?? text(e.name) ?? "GPU (name not printed)",
    vram_mib: gpu.vram_mib ?? (typeof e.memory_total_mib === "number" ? e.memory_total_mib : null),
    compute_capability: text(gpu.compute_capability),
    pcie_current:
      text(x.pcie_current) ??
      link(x["pcie.link.gen.current"], x["pcie.link.width.current"]) ??
      link(e.pcie_link_gen_current, e.pcie_link_width_current),
    pcie_max: text(x.pcie_max) ?? link(x["pcie.link.gen.max"], x["pcie.link.width.max"]),
    pcie_bandwidth: text(x.pcie_bandwidth),
    driver:
      text(x.driver_version) ??
      text(e.driver_version) ??
      text(envNvidia?.driver_version) ??
      text(versions?.["Driver Version"]),
    cuda: text(x.cuda_version) ?? text(envNvidia?.cuda_version) ?? text(versions?.["CUDA Version"]),
    power_limit:
      text(x.power_limit) ?? (e.power_limit_w !== undefined && e.power_limit_w !== null ? `${e.power_limit_w} W` : null)
  };
}

const add = (list: string[], v: string | null) => {
  if (v && !list.includes(v)) list.push(v);
};

/** One entry per machine label, from the runs of the given rows (each run read once). */
export function machineFacts(rows: ResultRow[]): MachineFacts[] {
  const labelOf = (r: ResultRow) => r.hardware || (r.gpu_name ? String(r.gpu_name) : "") || "hardware not stated";
  return aq
    .groupRows(
      aq.firstRows(rows, (r) => r.run_id),
      labelOf
    )
    .map((runs) => machineOf(labelOf(runs[0]), runs))
    .sort((a, b) => b.runs.length - a.runs.length || a.label.localeCompare(b.label));
}

/** What the runs of one machine label say about it. */
function machineOf(label: string, runs: ResultRow[]): MachineFacts {
  const m: MachineFacts = {
    label,
    gpus: [],
    gpu_count: null,
    vram_total_mib: null,
    backends: [],
    cpus: [],
    drivers: [],
    cuda: [],
    memory: [],
    os: [],
    runtimes: [],
    tools: [],
    models: [],
    merged: [],
    runs: []
  };
  for (const r of runs) {
    const extra: Obj = (r.extra as Obj | null) ?? {};
    const env: Obj | null = extra.environment?.machine ?? null;
    const versions: Obj | null = extra.versions ?? null;
    const gpus: Obj[] = Array.isArray(r.gpus) ? r.gpus : [];
    const envGpus: Obj[] = Array.isArray(env?.gpus) ? env!.gpus : [];
    const count = Math.max(gpus.length, envGpus.length);
    for (let i = 0; i < count; i++) {
      const facts = gpuFacts(
        gpus[i] ?? {index: envGpus[i]?.index ?? i},
        envGpus[i] ?? null,
        env?.nvidia ?? null,
        versions
      );
      const known = m.gpus.find((g) => g.index === facts.index);
      if (!known) m.gpus.push(facts);
      else
        for (const k of Object.keys(facts) as (keyof GpuFacts)[])
          if ((known[k] === null || known[k] === "GPU (name not printed)") && facts[k] !== null)
            (known as any)[k] = facts[k];
    }
    if (count) m.gpu_count = Math.max(m.gpu_count ?? 0, count);
    if (r.vram_total_mib) m.vram_total_mib = Math.max(m.vram_total_mib ?? 0, Number(r.vram_total_mib));
    add(m.backends, text(r.backend));
    add(m.cpus, text(r.cpu));
    if (env?.cpu?.model)
      add(m.cpus, `${env.cpu.model}${env.cpu.logical_cores ? ` (${env.cpu.logical_cores} logical cores)` : ""}`);
    for (const g of m.gpus) {
      add(m.drivers, g.driver);
      add(m.cuda, g.cuda);
    }
    add(m.drivers, text(env?.nvidia?.driver_version) ?? text(versions?.["Driver Version"]));
    add(m.cuda, text(env?.nvidia?.cuda_version) ?? text(versions?.["CUDA Version"]));
    if (env?.memory?.total_bytes)
      add(
        m.memory,
        `${(env.memory.total_bytes / 2 ** 30).toFixed(1)} GiB${env.memory.meminfo_total ? ` (MemTotal ${env.memory.meminfo_total})` : ""}`
      );
    if (env?.os)
      add(
        m.os,
        [
          env.os.distribution,
          env.os.platform && env.os.arch ? `${env.os.platform}/${env.os.arch}` : null,
          env.os.kernel ? `kernel ${env.os.kernel}` : null
        ]
          .filter(Boolean)
          .join(" · ") || null
      );
    add(m.runtimes, text(r.runtime));
    add(m.tools, text(r.tool));
    add(m.models, text(r.model_label ?? r.model));
    add(m.merged, text(r.hardware_described_as));
    m.runs.push({
      run_id: r.run_id,
      tool: String(r.tool ?? "?"),
      source_sha256: r.source_sha256,
      file: String(r.file ?? r.source_sha256.slice(0, 12)),
      line: Number(r.run_line_start ?? r.line)
    });
  }
  m.gpus.sort((a, b) => a.index - b.index);
  return m;
}

const dash = (list: string[]) => (list.length ? list.join("; ") : "—");

export function vramText(m: MachineFacts): string {
  if (m.vram_total_mib) return `${m.vram_total_mib} MiB total (as the backend printed it)`;
  const known = m.gpus.filter((g) => g.vram_mib !== null);
  if (known.length && known.length === m.gpus.length)
    return `${known.reduce((s, g) => s + g.vram_mib!, 0)} MiB total (sum of the GPUs)`;
  return "—";
}

/** One machine as a card; every string is set as text (htl escapes it). */
export function hardwareCard(m: MachineFacts, {maxLinks = 6}: {maxLinks?: number} = {}): HTMLElement {
  const gpuRows = m.gpus.map(
    (g) => html`<tr>
      <td>${g.index}</td><td>${g.name}</td><td>${g.vram_mib ?? "—"}</td><td>${g.compute_capability ?? "—"}</td>
      <td>${g.pcie_current ?? "—"}${g.pcie_max ? html` <span class="muted">(max ${g.pcie_max})</span>` : ""}${g.pcie_bandwidth ? html` <span class="muted">${g.pcie_bandwidth}</span>` : ""}</td>
    </tr>`
  );
  const sources = [...new Map(m.runs.map((r) => [`${r.source_sha256}:${r.line}`, r])).values()];
  return html`<div class="card bb-hardware-card" data-machine=${m.label}>
    <h2>${m.label}</h2>
    ${m.merged.length ? html`<p class="bb-merged muted">Also described as ${m.merged.map((l, i) => html`${i ? ", " : ""}<q>${l}</q>`)} — merged by the store's aliases (data/aliases.yaml).</p>` : ""}
    ${
      m.gpus.length
        ? html`<table class="bb-gpus"><thead><tr><th>GPU</th><th>name</th><th>VRAM (MiB)</th><th>compute cap.</th><th>PCIe link</th></tr></thead><tbody>${gpuRows}</tbody></table>`
        : html`<p class="muted">No GPU list was printed for this machine.</p>`
    }
    <dl class="bb-facts">
      <dt>VRAM</dt><dd>${vramText(m)}</dd>
      <dt>Driver</dt><dd>${dash(m.drivers)}</dd>
      <dt>CUDA</dt><dd>${dash(m.cuda)}</dd>
      <dt>Backend</dt><dd>${dash(m.backends)}</dd>
      <dt>CPU</dt><dd>${dash(m.cpus)}</dd>
      ${m.memory.length ? html`<dt>Memory</dt><dd>${dash(m.memory)}</dd>` : ""}
      ${m.os.length ? html`<dt>OS</dt><dd>${dash(m.os)}</dd>` : ""}
      <dt>Runtimes</dt><dd>${dash(m.runtimes)}</dd>
      <dt>Models</dt><dd>${dash(m.models)}</dd>
    </dl>
    <p class="bb-card-sources">${m.runs.length} ${m.runs.length === 1 ? "run" : "runs"}, from
      ${sources.slice(0, maxLinks).map((r, i) => html`${i ? ", " : ""}${sourceLink(r.source_sha256, r.line, `${r.file}:${r.line}`)}`)}${sources.length > maxLinks ? ` and ${sources.length - maxLinks} more` : ""}</p>
  </div>` as HTMLElement;
}

export function hardwareCards(machines: MachineFacts[]): HTMLElement {
  return html`<div class="bb-hardware-cards">${machines.map((m) => hardwareCard(m))}</div>` as HTMLElement;
}
