/** Context between the blocks of a streamed log, as the document reader keeps it: commands (a server launch holds), device lines, hardware headings. */
import type {ParsedCommand} from "../context/command.js";
import {isServerCommand, parseCommandLine} from "../context/command.js";
import {applyDeviceLines, parseDeviceLine, parseHardwareHeading} from "../context/devices.js";
import {isLogLike} from "../formats/logs/log-prefix.js";
import type {Context} from "../formats/types.js";
import type {Hardware} from "../schema/schema.js";
import {emptyHardware} from "../schema/schema.js";

interface ContextFacts {
  commands: ParsedCommand[];
  server: ParsedCommand | null;
  hardware: Hardware;
}

export class StreamContext {
  private facts: ContextFacts = {commands: [], server: null, hardware: emptyHardware()};
  /** Effects of gap lines after a block's last recognized line, kept aside until we know they fall outside the block. */
  private pending: ContextFacts | null = null;
  private continuation: {text: string; line_start: number} | null = null;

  constructor(private readonly runtime: string | null) {}

  context(): Context {
    const {commands, server, hardware} = this.facts;
    return {commands, server, comments: [], hardware, runtime: this.runtime};
  }

  /** A line outside any block, or (`tentative`) a gap line inside an open segment; true when it was context. */
  line(text: string, line: number, tentative: boolean): boolean {
    if (tentative && !this.pending) this.pending = {...this.facts};
    const target: ContextFacts = tentative ? this.pending! : this.facts;
    const addCommand = (command: ParsedCommand) => {
      target.commands = [...target.commands, command];
      if (isServerCommand(command)) target.server = command;
    };
    if (this.continuation) {
      // A command continued over lines ending in a backslash.
      const joined = `${this.continuation.text}\n${text}`;
      if (/\\\s*$/.test(text)) {
        this.continuation.text = joined;
        return true;
      }
      const from = this.continuation.line_start;
      this.continuation = null;
      const command = parseCommandLine(joined, from, line);
      if (command) addCommand(command);
      return true;
    }
    const devices = parseDeviceLine(text);
    if (devices.length) {
      target.hardware = applyDeviceLines(target.hardware, devices);
      return true;
    }
    if (text.trim() === "" || isLogLike(text)) return false;
    if (/\\\s*$/.test(text) && parseCommandLine(text.replace(/\\\s*$/, ""), line)) {
      this.continuation = {text, line_start: line};
      return true;
    }
    const command = parseCommandLine(text, line);
    if (command) {
      addCommand(command);
      return true;
    }
    const heading = parseHardwareHeading(text);
    if (heading) {
      target.hardware = {...emptyHardware(), stated: heading};
      return true;
    }
    return false;
  }

  /** A recognized line: the gap before it was inside the block after all. */
  hit(): void {
    this.pending = null;
    this.continuation = null;
  }

  /** The segment ended before its gap lines: their effects count. */
  segmentClosed(): void {
    if (!this.pending) return;
    this.facts = this.pending;
    this.pending = null;
  }

  /** Benchmark commands are consumed by the block that follows them; a server launch and devices hold. */
  blockEnded(): void {
    this.facts = {...this.facts, commands: []};
  }
}
