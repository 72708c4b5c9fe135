/**
 * What a run needs to be run again (machine, GPUs, runtime version, model identity, command), stored in
 * `extra.environment`. Values are kept as printed (`[N/A]` stays text).
 */
import {execFile} from "node:child_process";
import {createHash} from "node:crypto";
import {createReadStream, existsSync, readFileSync, statSync} from "node:fs";
import {open} from "node:fs/promises";
import {arch, cpus, platform, release, totalmem, version as osVersion} from "node:os";
import {basename} from "node:path";
import {GGMLFileQuantizationType, gguf, parseGgufShardFilename} from "@huggingface/gguf";

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
  error: string | null;
}

export type Exec = (argv: string[], options?: {timeout_s?: number; env?: NodeJS.ProcessEnv}) => Promise<ExecResult>;

/** Run a program (argv array, no shell), never throwing. */
export const execArgv: Exec = (argv, {timeout_s = 15, env = process.env} = {}) =>
  new Promise((resolve) => {
    execFile(
      argv[0],
      argv.slice(1),
      {timeout: timeout_s * 1000, maxBuffer: 16 * 1024 * 1024, encoding: "utf8", env},
      (error, stdout, stderr) => {
        const code = error
          ? typeof (error as {code?: unknown}).code === "number"
            ? (error as {code: number}).code
            : null
          : 0;
        resolve({stdout, stderr, code, error: error && code === null ? error.message : null});
      }
    );
  });

// ─── machine ────────────────────────────────────────────────────────────────

export interface MachineInfo {
  os: {platform: string; arch: string; kernel: string; version: string; distribution: string | null};
  cpu: {model: string | null; logical_cores: number};
  memory: {total_bytes: number; meminfo_total: string | null};
  gpus: NvidiaGpu[];
  nvidia: {driver_version: string | null; cuda_version: string | null} | null;
  node: string;
}

export interface NvidiaGpu {
  index: number;
  name: string;
  memory_total_mib: number | string;
  driver_version: string;
  pcie_link_gen_current: number | string;
  pcie_link_width_current: number | string;
  power_limit_w: number | string;
  clocks_max_sm_mhz: number | string;
}

/** The nvidia-smi query benchbook runs (fields in this order, `--format=csv,noheader,nounits`). */
export const NVIDIA_SMI_QUERY = [
  "nvidia-smi",
  "--query-gpu=name,memory.total,driver_version,pcie.link.gen.current,pcie.link.width.current,power.limit,clocks.max.sm",
  "--format=csv,noheader,nounits"
];

/** A field as printed: a number where the text is exactly a number, else the text (`[N/A]`). */
function printed(text: string): number | string {
  const t = text.trim();
  return /^-?\d+(?:\.\d+)?$/.test(t) ? Number(t) : t;
}

/** Parse the CSV lines of NVIDIA_SMI_QUERY (GPU names contain no commas). */
export function parseNvidiaSmiQuery(csv: string): NvidiaGpu[] {
  return csv
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "")
    .map((line, index) => {
      const f = line.split(",").map((s) => s.trim());
      return {
        index,
        name: f[0] ?? "",
        memory_total_mib: printed(f[1] ?? ""),
        driver_version: f[2] ?? "",
        pcie_link_gen_current: printed(f[3] ?? ""),
        pcie_link_width_current: printed(f[4] ?? ""),
        power_limit_w: printed(f[5] ?? ""),
        clocks_max_sm_mhz: printed(f[6] ?? "")
      };
    });
}

/** `| NVIDIA-SMI 550.54.15   Driver Version: 550.54.15   CUDA Version: 12.4 |` */
export function parseNvidiaSmiHeader(text: string): {driver_version: string | null; cuda_version: string | null} {
  return {
    driver_version: /Driver Version:\s*([\w.-]+)/.exec(text)?.[1] ?? null,
    cuda_version: /CUDA Version:\s*([\w.-]+)/.exec(text)?.[1] ?? null
  };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

export async function machineInfo(exec: Exec = execArgv, env: NodeJS.ProcessEnv = process.env): Promise<MachineInfo> {
  const osRelease = readText("/etc/os-release");
  const meminfo = readText("/proc/meminfo");
  const cpuinfo = readText("/proc/cpuinfo");
  const query = await exec(NVIDIA_SMI_QUERY, {env});
  const gpus = query.code === 0 ? parseNvidiaSmiQuery(query.stdout) : [];
  const header = gpus.length ? await exec(["nvidia-smi"], {env}) : null;
  return {
    os: {
      platform: platform(),
      arch: arch(),
      kernel: release(),
      version: osVersion(),
      distribution: osRelease ? (/^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? null) : null
    },
    cpu: {
      model: (cpuinfo ? /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() : null) ?? cpus()[0]?.model ?? null,
      logical_cores: cpus().length
    },
    memory: {
      total_bytes: totalmem(),
      meminfo_total: meminfo ? (/^MemTotal:\s*(.+)$/m.exec(meminfo)?.[1]?.trim() ?? null) : null
    },
    gpus,
    nvidia: header && header.code === 0 ? parseNvidiaSmiHeader(header.stdout) : null,
    node: process.version
  };
}

// ─── runtime ────────────────────────────────────────────────────────────────

export interface RuntimeInfo {
  command: string[];
  /** What the version command printed (stdout, else stderr), trimmed; null if it could not run. */
  text: string | null;
  /** llama.cpp: `version: 0.5.0-dev (build 1, commit de3ff81)`. */
  build_number: number | null;
  build_commit: string | null;
}

/** `version: 8396 (054d8b0f2)` (llama.cpp) or `version: 0.5.0-dev (build 1, commit de3ff81)`. */
export function parseLlamaVersion(text: string): {build_number: number | null; build_commit: string | null} {
  // A build from a tree without .git prints `(build 0, commit unknown)`: kept as printed.
  const modern = /version:\s*\S+\s*\(build\s+(\d+),\s*commit\s+([\w.-]+)\)/i.exec(text);
  if (modern) return {build_number: Number(modern[1]), build_commit: modern[2]};
  const classic = /version:\s*(\d+)\s*\(([0-9a-f]+)\)/i.exec(text);
  if (classic) return {build_number: Number(classic[1]), build_commit: classic[2]};
  return {build_number: null, build_commit: null};
}

export async function runtimeInfo(
  command: string[],
  exec: Exec = execArgv,
  env: NodeJS.ProcessEnv = process.env
): Promise<RuntimeInfo> {
  const result = await exec(command, {env, timeout_s: 30});
  // llama.cpp prints its version on stderr.
  const text = result.error === null ? result.stdout.trim() || result.stderr.trim() || null : null;
  return {command, text, ...(text ? parseLlamaVersion(text) : {build_number: null, build_commit: null})};
}

// ─── model files ────────────────────────────────────────────────────────────

/** Bytes hashed for the quick content hash. */
export const HEAD_HASH_BYTES = 16 * 1024 * 1024;

export interface ModelIdentity {
  path: string;
  exists: boolean;
  size_bytes?: number;
  /** `sha256 of the first 16 MiB` + size: identifies a file cheaply (GGUF headers and the first tensors differ between files). */
  head_sha256?: string;
  head_bytes?: number;
  /** sha256 of the whole file, with --hash-models full. */
  sha256?: string;
  /** Split GGUF: every shard's file name and size. */
  shards?: {file: string; size_bytes: number}[];
  gguf?: GgufSummary;
  error?: string;
}

export interface GgufSummary {
  version: number;
  architecture: string | null;
  name: string | null;
  /** Parameter count summed over the tensors (all shards). */
  parameter_count: number | null;
  /** general.file_type as stored, and its name in @huggingface/gguf's GGMLFileQuantizationType (`Q4_K_M`, `F16`). */
  file_type: number | null;
  file_type_name: string | null;
  quantization_version: number | null;
  context_length: number | null;
  block_count: number | null;
  embedding_length: number | null;
  tensor_count: number;
}

async function hashHead(path: string, bytes: number): Promise<{sha256: string; bytes: number}> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    let read = 0;
    while (read < bytes) {
      const {bytesRead} = await handle.read(buffer, read, bytes - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return {sha256: createHash("sha256").update(buffer.subarray(0, read)).digest("hex"), bytes: read};
  } finally {
    await handle.close();
  }
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

function metaNumber(value: unknown): number | null {
  return typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : null;
}

/** Shard file names of a split GGUF, from the first shard's name (`x-00001-of-00003.gguf`). */
function shardPaths(path: string): string[] | null {
  const shard = parseGgufShardFilename(path);
  if (!shard) return null;
  const total = Number(shard.total);
  return Array.from(
    {length: total},
    (_, i) => `${shard.prefix}-${String(i + 1).padStart(5, "0")}-of-${shard.total}.gguf`
  );
}

export async function modelIdentity(path: string, options: {fullHash?: boolean} = {}): Promise<ModelIdentity> {
  if (!existsSync(path) || !statSync(path).isFile()) return {path, exists: false};
  const identity: ModelIdentity = {path, exists: true, size_bytes: statSync(path).size};
  const head = await hashHead(path, HEAD_HASH_BYTES);
  identity.head_sha256 = head.sha256;
  identity.head_bytes = head.bytes;
  if (options.fullHash) identity.sha256 = await hashFile(path);
  const shards = shardPaths(path);
  if (shards && shards.every(existsSync))
    identity.shards = shards.map((file) => ({file: basename(file), size_bytes: statSync(file).size}));
  if (/\.gguf$/i.test(path)) {
    try {
      identity.gguf = await ggufSummary(path, shards && shards.every(existsSync) ? shards : [path]);
    } catch (error) {
      identity.error = `GGUF metadata could not be read: ${(error as Error).message}`;
    }
  }
  return identity;
}

async function ggufSummary(path: string, files: string[]): Promise<GgufSummary> {
  const parsed = await Promise.all(
    files.map((file) => gguf(file, {allowLocalFile: true, computeParametersCount: true}))
  );
  const {metadata} = parsed[0];
  const meta = metadata as Record<string, unknown>;
  const architecture =
    typeof meta["general.architecture"] === "string" ? (meta["general.architecture"] as string) : null;
  const fileType = metaNumber(meta["general.file_type"]);
  return {
    version: Number(metadata.version),
    architecture,
    name: typeof meta["general.name"] === "string" ? (meta["general.name"] as string) : null,
    parameter_count: parsed.reduce((n, p) => n + p.parameterCount, 0),
    file_type: fileType,
    file_type_name:
      fileType === null ? null : ((GGMLFileQuantizationType as unknown as Record<number, string>)[fileType] ?? null),
    quantization_version: metaNumber(meta["general.quantization_version"]),
    context_length: architecture ? metaNumber(meta[`${architecture}.context_length`]) : null,
    block_count: architecture ? metaNumber(meta[`${architecture}.block_count`]) : null,
    embedding_length: architecture ? metaNumber(meta[`${architecture}.embedding_length`]) : null,
    tensor_count: parsed.reduce((n, p) => n + p.tensorInfos.length, 0)
  };
}

/** Identities are computed once per path and run (hashing a 60 GB file once is enough). */
export class ModelIdentities {
  private cache = new Map<string, Promise<ModelIdentity>>();
  constructor(private readonly options: {fullHash?: boolean} = {}) {}
  get(path: string): Promise<ModelIdentity> {
    let identity = this.cache.get(path);
    if (!identity) this.cache.set(path, (identity = modelIdentity(path, this.options)));
    return identity;
  }
}
