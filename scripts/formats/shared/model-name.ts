/**
 * What a model's file name and a tool's model label say about the model.
 * Derived labels only help group and name; the printed values are kept too.
 */

// Quantization labels as they appear in GGUF/MLX/HF file names, longest first.
const QUANT =
  /(?:^|[-_.])((?:UD-)?(?:I?Q\d_(?:K_)?(?:XXS|XS|S|M|L|XL|NL|K|0|1)(?:_(?:XL|L|M|S))?|I?Q\d_\d|TQ\d_\d|MXFP4(?:_MOE)?|NVFP4|FP8(?:[-_](?:block|dynamic))?|F16|BF16|F32|\d+bit|GPTQ-Int\d|AWQ|Int[48]))(?=$|[-_.])/i;

/** `unsloth/Qwen3.5-9B-GGUF/Qwen3.5-9B-UD-Q4_K_XL.gguf` → `UD-Q4_K_XL`. */
export function quantFromFile(file: string | null): string | null {
  if (!file) return null;
  const base = baseName(file);
  const m = QUANT.exec(base);
  return m ? m[1] : null;
}

function baseName(file: string): string {
  return (file.split(/[\\/]/).pop() ?? file)
    .replace(/\s+(?=gguf$)/i, "")
    .replace(/\.(?:gguf|bin|safetensors)$/i, "")
    .replace(/-\d{5}-of-\d{5}$/i, "")
    .trim();
}

/**
 * llama.cpp prints a model as `<arch> <size label> <file type>`:
 * `qwen35moe 35B.A3B Q3_K - Medium`, `mistral3 ?B IQ4_XS - 4.25 bpw`.
 */
export function splitModelType(name: string): {
  architecture: string | null;
  size_label: string | null;
  ftype: string | null;
} {
  const m = /^(\S+)\s+(\S*\d\S*[BMKT](?:\.A\d+[BMK])?|\?B)\s+(.+)$/.exec(name.trim());
  if (!m) return {architecture: name.split(/\s+/)[0] || null, size_label: null, ftype: null};
  return {architecture: m[1], size_label: m[2], ftype: m[3]};
}
