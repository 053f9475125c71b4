import { WebSocketError, WS_ERROR_CODES } from './errors.js';
import type { RawData } from './client.js';
import type { SerializedData } from './serializer.js';

/** The bytes a frame occupies on the wire: UTF-8 length for text, byte length for binary. */
export function byteLength(data: RawData | SerializedData): number {
  if (typeof data !== 'string') return 'size' in data ? data.size : data.byteLength;
  let bytes = data.length;
  for (let i = 0; i < data.length; i++) {
    const unit = data.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) bytes += 1;
    else {
      bytes += 2;
      // A surrogate pair is 2 units and 4 bytes: skip the low half, already counted.
      if (unit >= 0xd800 && unit < 0xdc00 && (data.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    }
  }
  return bytes;
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
