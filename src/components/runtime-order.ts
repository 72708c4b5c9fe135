/**
 * Runtimes in display order: the ids of scripts/context/runtimes.ts, which
 * the site cannot import (test/context/runtimes.test.ts keeps the two equal).
 */
export const RUNTIME_ORDER: readonly string[] = ["llama.cpp", "vllm", "sglang", "mlx", "lmstudio"];
