/** The store's optional `aliases.yaml` (docs/aliases.md): machine labels and the other labels of the same rig. */
import {existsSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {parseDocument} from "yaml";
import {z} from "zod";
import {machineAliases, type MachineAliases} from "../schema/machine.js";

const ALIASES_FILE = "aliases.yaml";

const Aliases = z.strictObject({machines: z.record(z.string().min(1), z.array(z.string().min(1))).optional()});

export class AliasFileError extends Error {}

export function readMachineAliases(root: string): MachineAliases {
  const path = join(root, ALIASES_FILE);
  if (!existsSync(path)) return new Map();
  return parseMachineAliases(readFileSync(path, "utf8"), path);
}

export function parseMachineAliases(text: string, path = ALIASES_FILE): MachineAliases {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new AliasFileError(
      `${path}: line ${e.linePos?.[0].line ?? "?"}: expected YAML, found an error (${e.message.split("\n")[0]})`
    );
  }
  const parsed = Aliases.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AliasFileError(
      `${path}: at ${issue.path.join(".") || "the top"}: expected machines: {<machine label>: [<other label>, …]} (${issue.message})`
    );
  }
  try {
    return machineAliases(parsed.data.machines ?? {});
  } catch (error) {
    throw new AliasFileError(`${path}: ${(error as Error).message}`);
  }
}
