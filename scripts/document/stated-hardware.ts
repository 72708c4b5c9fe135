/** Hardware a writeup states in its own words (`GPU: RTX 4090`), kept as written: nothing looked up. */

/** A vendor or product family must start the value, so prose that mentions a GPU is not taken. */
const GPU_NAME =
  /^(?:NVIDIA|GeForce|RTX|GTX|Quadro|Tesla|AMD|Radeon|Instinct|Apple\s+M\d|Intel\s+Arc|Arc\s+[AB]\d|[AHBL]\d{2,3}\b|GB\d{2,3}\b|DGX|Jetson)/i;
const GPU_LINE = /^\s*\|?\s*(?:GPU|グラフィックス|显卡|그래픽카드)s?\s*(?:[:：|=]\s*)?(.+?)\s*\|?\s*$/i;
const CPU_LINE = /^\s*\|?\s*(?:CPU|プロセッサ|处理器)\s*(?:[:：|=]\s*)?(.+?)\s*\|?\s*$/i;
const CPU_NAME = /^(?:AMD|Intel|Apple|Ampere|Qualcomm|NVIDIA\s+Grace|EPYC|Ryzen|Xeon|Core|Threadripper)/i;

export interface StatedHardware {
  kind: "gpu" | "cpu";
  name: string;
}

/** One short line that states the GPU or CPU a writeup ran on; null otherwise. */
export function parseStatedHardware(text: string): StatedHardware | null {
  if (text.trim().length > 100) return null;
  const gpu = GPU_LINE.exec(text);
  if (gpu && GPU_NAME.test(gpu[1]) && !gpu[1].includes("|")) return {kind: "gpu", name: gpu[1]};
  const cpu = CPU_LINE.exec(text);
  if (cpu && CPU_NAME.test(cpu[1]) && !cpu[1].includes("|")) return {kind: "cpu", name: cpu[1]};
  return null;
}
