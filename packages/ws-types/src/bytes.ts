import { WebSocketError, WS_ERROR_CODES } from './errors.js';
import type { RawData } from './client.js';
import type { SerializedData } from './serializer.js';

// Text is counted by the platform's UTF-8 encoder, about 3× faster than a loop over the
// characters in JavaScript: into a scratch buffer for the usual frame, through a copy for a
// large one (so that the scratch buffer stays small).
const encoder = new TextEncoder();
const SCRATCH_CHARS = 2048;
const scratch = new Uint8Array(SCRATCH_CHARS * 3);

/** The bytes a frame occupies on the wire: UTF-8 length for text, byte length for binary. */
export function byteLength(data: RawData | SerializedData): number {
  if (typeof data !== 'string') return 'size' in data ? data.size : data.byteLength;
  return data.length > SCRATCH_CHARS ? encoder.encode(data).length : encoder.encodeInto(data, scratch).written;
}

/**
 * Checks a close code and reason by the WHATWG rules (code 1000 or 3000–4999, reason at most
 * 123 UTF-8 bytes). Returns a `PROTOCOL_ERROR` describing the problem, or `undefined`.
 */
export function closeError(code: number, reason: string): WebSocketError | undefined {
  if (code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
    return new WebSocketError(`Close code must be 1000 or 3000-4999, got ${code}`, WS_ERROR_CODES.PROTOCOL_ERROR);
  }
  if (byteLength(String(reason)) > 123) {
    return new WebSocketError('Close reason must be at most 123 UTF-8 bytes', WS_ERROR_CODES.PROTOCOL_ERROR);
  }
  return undefined;
}
