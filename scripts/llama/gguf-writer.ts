/** Minimal GGUF v3 metadata reader and small-model writer for make-tiny-gguf.ts (ref: llama.cpp ggml/docs/gguf.md). */
import {readFileSync, writeFileSync} from "node:fs";

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

export const GGUFValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12
} as const;
export type GGUFValueType = (typeof GGUFValueType)[keyof typeof GGUFValueType];

/** ggml tensor types used here (subset of enum ggml_type). */
export const GGMLType = {
  F32: 0,
  F16: 1
} as const;
export type GGMLType = (typeof GGMLType)[keyof typeof GGMLType];

export type GGUFScalarType = Exclude<GGUFValueType, typeof GGUFValueType.ARRAY>;
export type GGUFScalar = number | bigint | boolean | string;

export type GGUFValue =
  | {type: GGUFScalarType; value: GGUFScalar}
  | {type: typeof GGUFValueType.ARRAY; itemType: GGUFScalarType; value: GGUFScalar[]};

export interface GGUFKV {
  key: string;
  value: GGUFValue;
}

export interface GGUFTensor {
  name: string;
  /** ggml order: dims[0] is the fastest-varying (row length). */
  dims: number[];
  type: GGMLType;
  /** Raw data, already encoded in `type`. */
  data: Uint8Array;
}

// ---------------------------------------------------------------------------
// Reading (metadata only)

class Reader {
  private readonly view: DataView;
  private pos = 0;
  private readonly decoder = new TextDecoder("utf-8");

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  u8(): number {
    const v = this.view.getUint8(this.pos);
    this.pos += 1;
    return v;
  }
  i8(): number {
    const v = this.view.getInt8(this.pos);
    this.pos += 1;
    return v;
  }
  u16(): number {
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  i16(): number {
    const v = this.view.getInt16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i32(): number {
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f32(): number {
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  u64(): bigint {
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  i64(): bigint {
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }
  u64n(): number {
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`u64 too large: ${v}`);
    return Number(v);
  }
  str(): string {
    const len = this.u64n();
    const s = this.decoder.decode(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }

  scalar(type: GGUFScalarType): GGUFScalar {
    switch (type) {
      case GGUFValueType.UINT8:
        return this.u8();
      case GGUFValueType.INT8:
        return this.i8();
      case GGUFValueType.UINT16:
        return this.u16();
      case GGUFValueType.INT16:
        return this.i16();
      case GGUFValueType.UINT32:
        return this.u32();
      case GGUFValueType.INT32:
        return this.i32();
      case GGUFValueType.FLOAT32:
        return this.f32();
      case GGUFValueType.BOOL:
        return this.u8() !== 0;
      case GGUFValueType.STRING:
        return this.str();
      case GGUFValueType.UINT64:
        return this.u64();
      case GGUFValueType.INT64:
        return this.i64();
      case GGUFValueType.FLOAT64:
        return this.f64();
      default:
        throw new Error(`unknown GGUF value type ${String(type)}`);
    }
  }

  value(type: GGUFValueType): GGUFValue {
    if (type === GGUFValueType.ARRAY) {
      const itemType = this.u32() as GGUFValueType;
      if (itemType === GGUFValueType.ARRAY) throw new Error("nested GGUF arrays are not supported");
      const n = this.u64n();
      const value: GGUFScalar[] = new Array<GGUFScalar>(n);
      for (let i = 0; i < n; i++) value[i] = this.scalar(itemType);
      return {type: GGUFValueType.ARRAY, itemType, value};
    }
    return {type, value: this.scalar(type)};
  }
}

export interface GGUFMetadata {
  version: number;
  tensorCount: number;
  kvs: GGUFKV[];
}

/** Read the header and all key/values of a GGUF file (tensor infos are skipped). */
export function readGGUFMetadata(path: string): GGUFMetadata {
  const buf = readFileSync(path);
  const r = new Reader(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  const magic = r.u32();
  if (magic !== GGUF_MAGIC) throw new Error(`${path}: not a GGUF file (magic 0x${magic.toString(16)})`);
  const version = r.u32();
  if (version !== 2 && version !== 3) throw new Error(`${path}: unsupported GGUF version ${version}`);
  const tensorCount = r.u64n();
  const kvCount = r.u64n();
  const kvs: GGUFKV[] = [];
  for (let i = 0; i < kvCount; i++) {
    const key = r.str();
    const type = r.u32() as GGUFValueType;
    kvs.push({key, value: r.value(type)});
  }
  return {version, tensorCount, kvs};
}

// ---------------------------------------------------------------------------
// Writing

class Writer {
  private chunks: Uint8Array[] = [];
  private length = 0;
  private readonly encoder = new TextEncoder();

  get size(): number {
    return this.length;
  }

  bytes(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.byteLength;
  }
  private fixed(n: number, fill: (v: DataView) => void): void {
    const b = new Uint8Array(n);
    fill(new DataView(b.buffer));
    this.bytes(b);
  }
  u8(v: number): void {
    this.fixed(1, (d) => d.setUint8(0, v));
  }
  i8(v: number): void {
    this.fixed(1, (d) => d.setInt8(0, v));
  }
  u16(v: number): void {
    this.fixed(2, (d) => d.setUint16(0, v, true));
  }
  i16(v: number): void {
    this.fixed(2, (d) => d.setInt16(0, v, true));
  }
  u32(v: number): void {
    this.fixed(4, (d) => d.setUint32(0, v, true));
  }
  i32(v: number): void {
    this.fixed(4, (d) => d.setInt32(0, v, true));
  }
  f32(v: number): void {
    this.fixed(4, (d) => d.setFloat32(0, v, true));
  }
  f64(v: number): void {
    this.fixed(8, (d) => d.setFloat64(0, v, true));
  }
  u64(v: number | bigint): void {
    this.fixed(8, (d) => d.setBigUint64(0, BigInt(v), true));
  }
  i64(v: number | bigint): void {
    this.fixed(8, (d) => d.setBigInt64(0, BigInt(v), true));
  }
  str(s: string): void {
    const b = this.encoder.encode(s);
    this.u64(b.byteLength);
    this.bytes(b);
  }
  pad(alignment: number): void {
    const rem = this.length % alignment;
    if (rem !== 0) this.bytes(new Uint8Array(alignment - rem));
  }

  scalar(type: GGUFScalarType, v: GGUFScalar): void {
    switch (type) {
      case GGUFValueType.UINT8:
        return this.u8(num(v));
      case GGUFValueType.INT8:
        return this.i8(num(v));
      case GGUFValueType.UINT16:
        return this.u16(num(v));
      case GGUFValueType.INT16:
        return this.i16(num(v));
      case GGUFValueType.UINT32:
        return this.u32(num(v));
      case GGUFValueType.INT32:
        return this.i32(num(v));
      case GGUFValueType.FLOAT32:
        return this.f32(num(v));
      case GGUFValueType.BOOL:
        return this.u8(v === true ? 1 : 0);
      case GGUFValueType.STRING:
        if (typeof v !== "string") throw new Error(`expected string, got ${typeof v}`);
        return this.str(v);
      case GGUFValueType.UINT64:
        return this.u64(big(v));
      case GGUFValueType.INT64:
        return this.i64(big(v));
      case GGUFValueType.FLOAT64:
        return this.f64(num(v));
      default:
        throw new Error(`unknown GGUF value type ${String(type)}`);
    }
  }

  value(v: GGUFValue): void {
    this.u32(v.type);
    if (v.type === GGUFValueType.ARRAY) {
      this.u32(v.itemType);
      this.u64(v.value.length);
      for (const item of v.value) this.scalar(v.itemType, item);
    } else {
      this.scalar(v.type, v.value);
    }
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.byteLength;
    }
    return out;
  }
}

function num(v: GGUFScalar): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  throw new Error(`expected number, got ${typeof v}`);
}

function big(v: GGUFScalar): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return BigInt(v);
  throw new Error(`expected integer, got ${typeof v}`);
}

export function ggmlTypeSize(type: GGMLType): number {
  switch (type) {
    case GGMLType.F32:
      return 4;
    case GGMLType.F16:
      return 2;
    default:
      throw new Error(`unsupported ggml type ${String(type)}`);
  }
}

/** Serialize a complete GGUF v3 file. */
export function encodeGGUF(kvs: GGUFKV[], tensors: GGUFTensor[], alignment = GGUF_DEFAULT_ALIGNMENT): Uint8Array {
  const seen = new Set<string>();
  for (const kv of kvs) {
    if (seen.has(kv.key)) throw new Error(`duplicate key ${kv.key}`);
    seen.add(kv.key);
  }

  const w = new Writer();
  w.u32(GGUF_MAGIC);
  w.u32(GGUF_VERSION);
  w.u64(tensors.length);
  w.u64(kvs.length);
  for (const kv of kvs) {
    w.str(kv.key);
    w.value(kv.value);
  }

  // Tensor infos; offsets are relative to the start of the data section.
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    const nElems = t.dims.reduce((a, b) => a * b, 1);
    const expected = nElems * ggmlTypeSize(t.type);
    if (t.data.byteLength !== expected) {
      throw new Error(`tensor ${t.name}: ${t.data.byteLength} bytes, expected ${expected}`);
    }
    offsets.push(offset);
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type);
    w.u64(offset);
    offset += Math.ceil(t.data.byteLength / alignment) * alignment;
  }

  w.pad(alignment);
  const dataStart = w.size;
  tensors.forEach((t, i) => {
    const want = dataStart + (offsets[i] ?? 0);
    if (w.size < want) w.bytes(new Uint8Array(want - w.size));
    w.bytes(t.data);
  });
  w.pad(alignment);
  return w.concat();
}

export function writeGGUF(
  path: string,
  kvs: GGUFKV[],
  tensors: GGUFTensor[],
  alignment = GGUF_DEFAULT_ALIGNMENT
): void {
  writeFileSync(path, encodeGGUF(kvs, tensors, alignment));
}

// ---------------------------------------------------------------------------
// Helpers for building values and tensors

export const kv = {
  str: (key: string, value: string): GGUFKV => ({key, value: {type: GGUFValueType.STRING, value}}),
  u32: (key: string, value: number): GGUFKV => ({key, value: {type: GGUFValueType.UINT32, value}}),
  i32: (key: string, value: number): GGUFKV => ({key, value: {type: GGUFValueType.INT32, value}}),
  f32: (key: string, value: number): GGUFKV => ({key, value: {type: GGUFValueType.FLOAT32, value}}),
  bool: (key: string, value: boolean): GGUFKV => ({key, value: {type: GGUFValueType.BOOL, value}})
};

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE 754 binary32 -> binary16 bits, round to nearest even. */
export function f32ToF16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;

  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0); // inf / nan
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow -> inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow -> signed zero
    mant |= 0x800000; // implicit leading one
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // rounding may carry into the exponent (and up to inf), which is still correct
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** Encode float values (little-endian) as a tensor payload of the given type. */
export function encodeFloats(values: Float32Array, type: GGMLType): Uint8Array {
  const size = ggmlTypeSize(type);
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    if (type === GGMLType.F32) view.setFloat32(i * 4, v, true);
    else view.setUint16(i * 2, f32ToF16Bits(v), true);
  }
  return out;
}
