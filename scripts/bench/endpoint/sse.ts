/**
 * Reads a Server-Sent Events body with eventsource-parser, stamping each
 * event with the arrival time of the network chunk that completed it (an
 * event split over several chunks arrives when its last byte does).
 */
import {createParser} from "eventsource-parser";

export interface TimedEvent {
  data: string;
  event: string | undefined;
  /** performance.now() when the chunk that completed this event was read. */
  at: number;
}

export interface StreamTimes {
  /** performance.now() of the first body chunk, null for an empty body. */
  firstByte: number | null;
  /** performance.now() when the body ended. */
  end: number;
  bytes: number;
}

/** Feed every chunk of `body` to an SSE parser; `onEvent` runs synchronously as events complete. */
export async function readEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: TimedEvent) => void
): Promise<StreamTimes> {
  let chunkAt = 0;
  const parser = createParser({
    onEvent: (message) => onEvent({data: message.data, event: message.event, at: chunkAt})
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let firstByte: number | null = null;
  let bytes = 0;
  try {
    for (;;) {
      const {done, value} = await reader.read();
      chunkAt = performance.now();
      if (done) break;
      if (value.length === 0) continue;
      firstByte ??= chunkAt;
      bytes += value.length;
      parser.feed(decoder.decode(value, {stream: true}));
    }
    // A last event cut off before its blank line still counts (the spec would drop it; a
    // server that closes right after `data: [DONE]` meant it): end the pending line and event.
    parser.feed(decoder.decode() + "\n\n");
  } finally {
    reader.releaseLock();
  }
  return {firstByte, end: chunkAt, bytes};
}
