/**
 * Raw text → logical lines. Line endings (LF, CRLF, CR) are normalized; a
 * physical line that a format recognizes as several lines whose breaks were
 * lost (a pasted table flattened by a website) becomes several logical lines
 * sharing its 1-based number, so every value still points at its real line.
 */
import type {Doc, Format, LogicalLine} from "../formats/types.js";
import {PYTHON_PACKAGES} from "../context/runtimes.js";
import {withoutPastePrefixes} from "./paste-prefix.js";

/**
 * Inside pieces of a flattened line, context starts at these markers: device
 * lines, command lines of known programs, and after a llama-bench build footer.
 */
const CONTEXT_BREAKS: RegExp[] = [
  /(?=ggml_cuda_init\s*:|ggml_init_cublas\s*:|ggml_vulkan\s*:|ggml_metal_init\s*:)/g,
  /(?<=\bbuild\s*:\s*[0-9a-f]{6,40}\s*\(\d+\))\s+/g,
  /(?<![A-Za-z_][A-Za-z0-9_]*=\S*)\s+(?=(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:\S*\/)?(?:llama-bench|llama-server|llama-batched-bench)\s+-)/g,
  // `vllm serve …` / `vllm bench serve …` glued after another command or output
  /(?<![A-Za-z_][A-Za-z0-9_]*=\S*|\buv\s+run)\s+(?=(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:uv\s+run\s+)?vllm\s+(?:bench\s+)?serve\s)/g,
  // `python -m sglang.launch_server …`, `python -m mlx_lm.benchmark …` (a runtime's Python package, runtimes.ts), `uvx llama-benchy …`
  new RegExp(
    String.raw`(?<![A-Za-z_][A-Za-z0-9_]*=\S*|\buv\s+run)\s+(?=(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:uv\s+run\s+)?(?:python3?\s+-m\s+(?:${PYTHON_PACKAGES.join("|")})\.\w+|uvx\s+llama-benchy\S*)\s)`,
    "g"
  )
];

function splitContext(piece: string): string[] {
  let pieces = [piece];
  for (const re of CONTEXT_BREAKS) pieces = pieces.flatMap((p) => p.split(re));
  return pieces.map((p) => p.trim()).filter(Boolean);
}

export function splitPhysicalLines(text: string): string[] {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lines = body.includes("\r") ? body.split(/\r\n|\n|\r/) : body.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export function toDoc(name: string, text: string, formats: readonly Format[]): Doc {
  const lines: LogicalLine[] = [];
  withoutPastePrefixes(splitPhysicalLines(text)).forEach((physical, i) => {
    const line = i + 1;
    for (const format of formats) {
      const pieces = format.unflatten?.(physical);
      if (pieces) {
        for (const piece of pieces)
          for (const text of piece.startsWith("|") ? [piece] : splitContext(piece)) lines.push({text, line});
        return;
      }
    }
    // A device-init line glued to the end of a command (`… -ngl 99 ggml_cuda_init: found 1 ROCm devices`).
    for (const text of physical.split(CONTEXT_BREAKS[0]).filter((p, k) => k === 0 || p.trim() !== ""))
      lines.push({text, line});
  });
  return {name, lines};
}
