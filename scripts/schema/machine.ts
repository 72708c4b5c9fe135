/**
 * Machine labels and the labels merged into them. A rig described in other words is merged only by the
 * store's alias file (docs/aliases.md): no rule guesses that two descriptions are one card.
 */

/** Label → machine label, keyed by machineKey. */
export type MachineAliases = ReadonlyMap<string, string>;

/** The form an alias matches a label by: case, spacing and the count's `×`/`x` ignored. */
export function machineKey(label: string): string {
  return label
    .toLowerCase()
    .replace(/^\s*(\d+)\s*[×x]\s*/, "$1×")
    .replace(/\s+/g, " ")
    .trim();
}

export interface MachineLabel {
  /** The machine the run is shown under. */
  label: string | null;
  /** The run's own label, when an alias (or spelling) merged it into another; else null. */
  described_as: string | null;
}

export function machineLabel(label: string | null, aliases: MachineAliases = new Map()): MachineLabel {
  if (label === null) return {label: null, described_as: null};
  const merged = aliases.get(machineKey(label));
  return merged === undefined || merged === label ? {label, described_as: null} : {label: merged, described_as: label};
}

/** Aliases from `machines: {<machine label>: [<other label>, …]}`; each label, the machine's own included, maps to it. */
export function machineAliases(machines: Record<string, readonly string[]>): MachineAliases {
  const map = new Map<string, string>();
  for (const [machine, others] of Object.entries(machines)) {
    for (const label of [machine, ...others]) {
      const key = machineKey(label);
      const before = map.get(key);
      if (before !== undefined && before !== machine)
        throw new Error(`"${label}" is listed under two machines: "${before}" and "${machine}"`);
      map.set(key, machine);
    }
  }
  return map;
}
