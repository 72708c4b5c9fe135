/**
 * ggml backends' device lines (`ggml_cuda_init: found 1 CUDA devices`, `Device 0: …`, `ggml_vulkan: 0 = …`).
 * Sites translate them (`デバイス0: …`), so parsers key on structure, not English words.
 */
import type {Gpu, Hardware, Scalar} from "../schema/schema.js";
import {emptyHardware} from "../schema/schema.js";

/** A device header starts a new device list. */
export interface DeviceHeader {
  kind: "header";
  backend: string;
  count: number | null;
  vram_total_mib: number | null;
}

export interface DeviceEntry {
  kind: "device";
  backend: string;
  gpu: Gpu;
}

export type DeviceLine = DeviceHeader | DeviceEntry;

/** `ggml_cuda_init: found 1 CUDA devices (Total VRAM: 24210 MiB):`; before early 2024 `ggml_init_cublas: found 2 CUDA devices:` (or `ROCm devices`). */
const CUDA_HEADER = /(?:ggml_cuda_init|ggml_init_cublas)\s*:\s*(.*)$/;
const DEVICE_WORD = String.raw`(?:Device|デバイス|设备|設備|장치|Gerät|Dispositivo|Périphérique)`;
const DEVICE_ENTRY = new RegExp(String.raw`${DEVICE_WORD}\s*(\d+)\s*[:：]\s*`, "g");
const SEP = /\s*[,、，]\s*/;
const VULKAN_HEADER = /ggml_vulkan\s*:\s*Found\s+(\d+)\s+Vulkan devices/i;
const VULKAN_DEVICE = /ggml_vulkan\s*:\s*(\d+)\s*=\s*(.+?)\s*(?:\(([^)]*)\))?\s*\|(.*)$/;
/** Early 2024 builds: `ggml_vulkan: Using AMD Radeon RX 7900 XTX | fp16: 1 | warp size: 64`, `Vulkan0: AMD Radeon RX 7800 XT | uma: 0 | …`. */
const VULKAN_DEVICE_OLD = /^\s*(?:ggml_vulkan\s*:\s*Using\s+|Vulkan(\d+)\s*:\s*)(.+?)\s*\|(.*)$/;
const METAL_DEVICE = /ggml_metal(?:_device)?_init\s*:\s*(?:found device|GPU name)\s*:\s*(.+?)\s*$/i;

/** Parse one logical line; a flattened line may carry a header and several devices. */
export function parseDeviceLine(text: string): DeviceLine[] {
  const out: DeviceLine[] = [];
  const cuda = CUDA_HEADER.exec(text);
  let rest = text;
  let backend = "CUDA";
  if (cuda) {
    const header = cuda[1];
    backend = /ROCm|HIP/i.test(header) ? "ROCm" : /MUSA/i.test(header) ? "MUSA" : "CUDA";
    const count = /(\d+)/.exec(header);
    const total = /VRAM\s*[:：]\s*(\d+)\s*MiB/i.exec(header);
    out.push({
      kind: "header",
      backend,
      count: count ? Number(count[1]) : null,
      vram_total_mib: total ? Number(total[1]) : null
    });
    rest = header;
  } else if (!new RegExp(String.raw`^\s*${DEVICE_WORD}\s*\d+\s*[:：]`).test(text)) {
    const vulkanHeader = VULKAN_HEADER.exec(text);
    if (vulkanHeader)
      return [{kind: "header", backend: "Vulkan", count: Number(vulkanHeader[1]), vram_total_mib: null}];
    const vulkan = VULKAN_DEVICE.exec(text);
    if (vulkan) {
      const extra: Record<string, Scalar> = {};
      if (vulkan[3]) extra.driver = vulkan[3];
      Object.assign(extra, vulkanFacts(vulkan[4]));
      return [
        {
          kind: "device",
          backend: "Vulkan",
          gpu: {index: Number(vulkan[1]), name: vulkan[2], vram_mib: null, compute_capability: null, extra}
        }
      ];
    }
    const old = VULKAN_DEVICE_OLD.exec(text);
    if (old)
      return [
        {
          kind: "device",
          backend: "Vulkan",
          gpu: {
            index: old[1] === undefined ? null : Number(old[1]),
            name: old[2],
            vram_mib: null,
            compute_capability: null,
            extra: vulkanFacts(old[3])
          }
        }
      ];
    const metal = METAL_DEVICE.exec(text);
    if (metal)
      return [
        {kind: "device", backend: "Metal", gpu: {index: 0, name: metal[1], vram_mib: null, compute_capability: null}}
      ];
    return [];
  }
  // Device entries: split at each "Device N:" marker.
  const marks = [...rest.matchAll(DEVICE_ENTRY)];
  for (let i = 0; i < marks.length; i++) {
    const body = rest.slice(
      marks[i].index! + marks[i][0].length,
      i + 1 < marks.length ? marks[i + 1].index : undefined
    );
    out.push({kind: "device", backend, gpu: parseCudaDevice(Number(marks[i][1]), body)});
  }
  return out;
}

/** `uma: 0 | fp16: 1 | warp size: 32 | …` → facts, as printed. */
function vulkanFacts(parts: string): Record<string, Scalar> {
  const extra: Record<string, Scalar> = {};
  for (const part of parts.split("|")) {
    const [key, value] = part.split(":").map((s) => s.trim());
    if (key && value !== undefined) extra[key] = value;
  }
  return extra;
}

/** `NVIDIA GeForce RTX 4090, compute capability 8.9, VMM: yes, VRAM: 24210 MiB` */
function parseCudaDevice(index: number, body: string): Gpu {
  const parts = body.trim().split(SEP).filter(Boolean);
  const gpu: Gpu = {index, name: parts[0] ?? "", vram_mib: null, compute_capability: null};
  const extra: Record<string, Scalar> = {};
  for (const part of parts.slice(1)) {
    const vram = /VRAM\s*[:：]\s*(\d+)\s*MiB/i.exec(part);
    const kv = /^([A-Za-z][\w ]*?)\s*[:：]\s*(.+)$/.exec(part);
    const cc = /^\D*?(\d+\.\d+)\s*$/.exec(part);
    if (vram) gpu.vram_mib = Number(vram[1]);
    else if (kv) extra[kv[1]] = kv[2];
    else if (cc && gpu.compute_capability === null) gpu.compute_capability = cc[1];
    else extra[`note${Object.keys(extra).length}`] = part;
  }
  if (Object.keys(extra).length) gpu.extra = extra;
  return gpu;
}

/** Fold device lines into a Hardware record: a header starts a new list. */
export function applyDeviceLines(hardware: Hardware, lines: DeviceLine[]): Hardware {
  let hw = hardware;
  for (const line of lines) {
    if (line.kind === "header") {
      hw = {...emptyHardware(), stated: hw.stated, backend: line.backend, vram_total_mib: line.vram_total_mib};
    } else {
      // Metal names its one device twice (`found device: Apple M4`, then `GPU name:   Apple M4`).
      if (line.backend === "Metal" && hw.backend === "Metal" && hw.gpus.some((g) => g.name === line.gpu.name)) continue;
      if (hw.backend !== line.backend && hw.gpus.length > 0) hw = {...emptyHardware(), stated: hw.stated};
      hw = {...hw, backend: hw.backend ?? line.backend, gpus: [...hw.gpus, line.gpu]};
    }
  }
  return hw;
}

/**
 * Whether device lines of `deviceBackend` can describe a run whose tool
 * printed `runBackend` (`CUDA,BLAS`, `MTL,BLAS`, `CPU`). A heading for an
 * Apple M4 after an RTX 4090 section must not inherit the RTX 4090.
 */
export function backendsCompatible(deviceBackend: string | null, runBackend: string | null): boolean {
  if (!deviceBackend || !runBackend) return true;
  const run = runBackend.toUpperCase();
  switch (deviceBackend) {
    case "CUDA":
      return run.includes("CUDA");
    case "ROCm":
      return run.includes("ROCM") || run.includes("HIP");
    case "Vulkan":
      return run.includes("VULKAN");
    case "Metal":
      return run.includes("MTL") || run.includes("METAL");
    default:
      return run.includes(deviceBackend.toUpperCase());
  }
}

/** Hardware names stated in headings or labels (`NVIDIA GeForce RTX 4090:`, `Apple M4:`). */
const HARDWARE_NAME =
  /\b(?:NVIDIA\s+)?(?:GeForce\s+)?(?:RTX|GTX)\s*(?:PRO\s+)?\d{3,4}(?:\s*(?:Ti|SUPER|Blackwell))*(?:\s+\d+\s*GB)?|\bApple\s+M\d(?:\s+(?:Pro|Max|Ultra))?|\bAMD\s+Radeon(?:\s+(?:Pro|RX|AI))*\s*\w*\d{3,4}\w*(?:\s+XTX|\s+XT)?|\bNVIDIA\s+(?:[A-Z]\d{2,3}|DGX\s+Spark|GB10|Jetson\s+\w+)|\bIntel\s+Arc\s+\w+/;

/**
 * A short heading line that names hardware, e.g. `NVIDIA GeForce RTX 4090:`
 * or `## Apple M4`. Prose that merely mentions a GPU is not a heading.
 */
export function parseHardwareHeading(text: string): string | null {
  const trimmed = text.trim().replace(/^#+\s*/, "");
  if (trimmed.length > 60 || !/[:：]$|^\S.{0,58}$/.test(trimmed)) return null;
  if (!/[:：]\s*$/.test(trimmed) && !/^#/.test(text.trim())) return null;
  const m = HARDWARE_NAME.exec(trimmed);
  return m ? m[0].trim() : null;
}
