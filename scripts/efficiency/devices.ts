/**
 * devices.csv and matching printed device names to its rows. A name may fit several rows (RTX 3080: 10, 12 or
 * 20 GB); the stated memory picks, and a figure the remaining rows disagree on is null, never the first row's.
 */
import {csvParse} from "d3-dsv";
import {readFileSync} from "node:fs";

export interface Device {
  name: string;
  aliases: string[];
  vendor: string;
  kind: string;
  /** Memory capacity in GB as marketed, used to tell variants apart; null where one row covers every size. */
  memory_gb: number | null;
  /** Peak memory bandwidth, GB/s (10^9 bytes). */
  bw_gbs: number | null;
  /** Peak dense FP16/BF16 throughput, TFLOP/s (no sparsity). */
  fp16_tflops: number | null;
  /** Peak dense INT8 throughput, TOPS. */
  int8_tops: number | null;
  source: string;
  note: string;
}

/** What a name is matched to: the peak figures the candidate rows agree on. */
export interface DeviceMatch {
  /** The row's name, or the candidates' names joined with ` | ` when a figure could not be decided. */
  name: string;
  bw_gbs: number | null;
  fp16_tflops: number | null;
  int8_tops: number | null;
}

const number = (text: string | undefined): number | null =>
  text === undefined || text.trim() === "" ? null : Number(text);

let table: {devices: Device[]; byKey: Map<string, Device[]>} | null = null;

/** The device table, read once. */
export function devices(): Device[] {
  return load().devices;
}

function load(): {devices: Device[]; byKey: Map<string, Device[]>} {
  if (table) return table;
  const text = readFileSync(new URL("./devices.csv", import.meta.url), "utf8");
  const list = csvParse(text).map((row, i): Device => {
    const device: Device = {
      name: row.name ?? "",
      aliases: (row.aliases ?? "").split("|").filter(Boolean),
      vendor: row.vendor ?? "",
      kind: row.kind ?? "",
      memory_gb: number(row.memory_gb),
      bw_gbs: number(row.bw_gbs),
      fp16_tflops: number(row.fp16_tflops),
      int8_tops: number(row.int8_tops),
      source: row.source ?? "",
      note: row.note ?? ""
    };
    for (const key of ["memory_gb", "bw_gbs", "fp16_tflops", "int8_tops"] as const) {
      const v = device[key];
      if (v !== null && !(Number.isFinite(v) && v > 0))
        throw new Error(`devices.csv line ${i + 2}: ${key} must be a positive number, found "${row[key]}"`);
    }
    if (!device.name || !device.source)
      throw new Error(`devices.csv line ${i + 2}: every row needs a name and a source`);
    return device;
  });
  const byKey = new Map<string, Device[]>();
  const add = (key: string, device: Device) => {
    if (!key) return;
    const rows = byKey.get(key) ?? [];
    if (!rows.includes(device)) rows.push(device);
    byKey.set(key, rows);
  };
  for (const device of list) {
    for (const name of [device.name, ...device.aliases]) {
      add(normalize(name, true), device);
      add(normalize(name, false), device);
    }
  }
  table = {devices: list, byKey};
  return table;
}

/** Words that vendors and tools add or leave out of the same device's name. */
const NOISE = new Set([
  "nvidia",
  "geforce",
  "amd",
  "ati",
  "radeon",
  "intel",
  "apple",
  "tesla",
  "graphics",
  "gpu",
  "corporation",
  "tm",
  "r"
]);

/**
 * A name reduced to the words that tell devices apart: lower case, without
 * vendor words, trademarks, parenthesized remarks (`(RADV NAVI31)`,
 * `(SM120)`) or punctuation; with `sizes` the memory sizes (`96gb`) stay.
 */
function normalize(name: string, sizes: boolean): string {
  const text = name
    .toLowerCase()
    .replace(/\((?:r|tm)\)|[®™]/g, " ")
    .replace(/\([^)]*\)/g, " ")
    .replace(/(\d+(?:\.\d+)?)\s*(?:gb|gib|g)\b/g, "$1gb")
    .replace(/[-_,/:]+/g, " ");
  return text
    .split(/\s+/)
    .filter((w) => w && !NOISE.has(w) && !/^sm\d+$/.test(w) && (sizes || !/^\d+(?:\.\d+)?gb$/.test(w)))
    .join(" ");
}

/** The memory size a name states (`RTX 3060 12GB` → 12), in GB. */
function statedMemory(name: string): number | null {
  const m = /(\d+(?:\.\d+)?)\s*(?:GB|GiB|G)\b/i.exec(name.replace(/\([^)]*\)/g, " "));
  return m ? Number(m[1]) : null;
}

/** Rows whose memory is this size: a device line's MiB are a little under the marketed GB (24210 MiB for 24 GB). */
function fitsMemory(device: Device, gb: number): boolean {
  return device.memory_gb !== null && gb >= device.memory_gb * 0.85 && gb <= device.memory_gb * 1.1;
}

/**
 * The device a printed name stands for, or null when no row fits. `vramMib`
 * is the memory the device line printed (`VRAM: 20052 MiB`), when it did.
 */
export function matchDevice(name: string, vramMib: number | null = null): DeviceMatch | null {
  const {byKey} = load();
  let rows = byKey.get(normalize(name, true)) ?? byKey.get(normalize(name, false));
  if (!rows?.length) rows = memoryConfiguration(name);
  if (!rows?.length) return null;
  const gb = statedMemory(name) ?? (vramMib !== null ? vramMib / 1024 : null);
  if (rows.length > 1 && gb !== null) {
    const sized = rows.filter((d) => fitsMemory(d, gb));
    if (sized.length) rows = sized;
  }
  const agreed = (key: "bw_gbs" | "fp16_tflops" | "int8_tops"): number | null => {
    const values = new Set(rows!.map((d) => d[key]));
    return values.size === 1 ? [...values][0] : null;
  };
  return {
    name: rows.map((d) => d.name).join(" | "),
    bw_gbs: agreed("bw_gbs"),
    fp16_tflops: agreed("fp16_tflops"),
    int8_tops: agreed("int8_tops")
  };
}

const CHANNEL_WORDS: Record<string, number> = {
  single: 1,
  dual: 2,
  quad: 4,
  six: 6,
  hexa: 6,
  eight: 8,
  octa: 8,
  twelve: 12
};

/**
 * A CPU memory configuration as people write it (`DDR5-5600 dual channel`,
 * `8x DDR4-3200`, `DDR5 6400 12ch`): the table's row for that type, speed
 * and channel count.
 */
function memoryConfiguration(name: string): Device[] | undefined {
  const type = /\b(LPDDR5X|LPDDR5|DDR5|DDR4)[-\s]?(\d{4})\b/i.exec(name);
  if (!type) return undefined;
  const channels =
    /(\d+)\s*(?:ch\b|-?\s*channels?\b)/i.exec(name)?.[1] ??
    /\b(\d+)\s*[x×]\s*(?:LP)?DDR/i.exec(name)?.[1] ??
    CHANNEL_WORDS[/\b(single|dual|quad|six|hexa|eight|octa|twelve)[-\s]?channel/i.exec(name)?.[1].toLowerCase() ?? ""];
  if (!channels) return undefined;
  return load().byKey.get(normalize(`${type[1]}-${type[2]} ${channels}ch`, true));
}

/** `4× RTX 3080 20GB`, `2x RTX 3060 12GB` → 4 and the name; a name without a count is one device. */
export function statedCount(text: string): {count: number; name: string} {
  const m = /^\s*(\d+)\s*[×x]\s*(.+)$/i.exec(text);
  return m && !/^(?:LP)?DDR/i.test(m[2]) ? {count: Number(m[1]), name: m[2].trim()} : {count: 1, name: text.trim()};
}
