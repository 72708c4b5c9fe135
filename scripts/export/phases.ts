/** Wall-clock and CPU seconds per phase of an export (for `npm run perf`), each phase's time taken since the last lap. */
export interface PhaseClock {
  seconds: Record<string, number>;
  /** CPU seconds of the whole process (every thread: workers' and DuckDB's too). */
  cpuSeconds: Record<string, number>;
  /** Count the time since the last lap to `phase`. */
  lap(phase: string): void;
}

export function phaseClock(phases: readonly string[]): PhaseClock {
  const seconds: Record<string, number> = Object.fromEntries(phases.map((p) => [p, 0]));
  const cpuSeconds: Record<string, number> = Object.fromEntries(phases.map((p) => [p, 0]));
  let clock = performance.now();
  let cpu = process.cpuUsage();
  return {
    seconds,
    cpuSeconds,
    lap(phase) {
      const now = performance.now();
      const used = process.cpuUsage(cpu);
      seconds[phase] = (seconds[phase] ?? 0) + (now - clock) / 1000;
      cpuSeconds[phase] = (cpuSeconds[phase] ?? 0) + (used.user + used.system) / 1e6;
      clock = now;
      cpu = process.cpuUsage();
    }
  };
}
