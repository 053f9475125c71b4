import { WebSocketError, WS_ERROR_CODES } from './errors.js';
import type { RawData } from './client.js';
import type { SerializedData } from './serializer.js';

// Text is counted natively: by Node's `Buffer.byteLength` where there is one (about twice as
// fast as Node's `TextEncoder`), else by the platform's UTF-8 encoder, into a scratch buffer
// for the usual frame, through a copy for a large one (so that the scratch buffer stays small).
// Either is several times faster than a loop over the characters in JavaScript.
const SCRATCH_CHARS = 2048;
let encoder: TextEncoder | undefined;
let scratch: Uint8Array | undefined;

/** UTF-8 length by the platform's encoder. Exported for tests. */
export const encodedLength = (text: string): number => {
  encoder ??= new TextEncoder();
  return text.length > SCRATCH_CHARS ? encoder.encode(text).length : encoder.encodeInto(text, (scratch ??= new Uint8Array(SCRATCH_CHARS * 3))).written;
};

const nodeBuffer = (globalThis as { Buffer?: { byteLength(text: string, encoding: 'utf8'): number } }).Buffer;
const textLength: (text: string) => number = nodeBuffer ? (text) => nodeBuffer.byteLength(text, 'utf8') : encodedLength;

/** The bytes a frame occupies on the wire: UTF-8 length for text, byte length for binary. */
export function byteLength(data: RawData | SerializedData): number {
  if (typeof data !== 'string') return 'size' in data ? data.size : data.byteLength;
  return textLength(data);
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
