import { WebSocketError, WS_ERROR_CODES } from './errors.js';
import type { RawData } from './client.js';

/**
 * What a serializer may produce for the wire: a text frame or a binary one (an `ArrayBuffer`, or
 * a view of one: what `WebSocket.send` takes).
 *
 * The view is spelled `ArrayBufferView & { buffer: ArrayBuffer }` rather than
 * `ArrayBufferView<ArrayBuffer>`, which does not compile before TypeScript 5.7. From 5.7 on the
 * two are the same (a `SharedArrayBuffer` view, which the browser's `WebSocket.send` refuses, is
 * left out); before 5.7 they are the same as a plain `ArrayBufferView`.
 */
export type SerializedData = string | ArrayBuffer | (ArrayBufferView & { readonly buffer: ArrayBuffer });

/**
 * Turns messages into frames and frames into messages.
 *
 * Both methods may throw; clients report a throwing `serialize` as a rejected send and a
 * throwing `deserialize` as an `error` event with `INVALID_MESSAGE` (the connection stays up).
 */
export interface MessageSerializer {
  /** Encodes a message as a text or binary frame. */
  serialize<T>(message: T): SerializedData;
  /** Decodes a received frame. */
  deserialize<T>(data: RawData): T;
}

let utf8: TextDecoder | undefined;

// A bad incoming frame is recoverable (the connection stays up); an unserializable message is not.
const invalid = (message: string, cause: unknown, recoverable = true): WebSocketError =>
  new WebSocketError(message, WS_ERROR_CODES.INVALID_MESSAGE, recoverable, cause);

/**
 * The default serializer: JSON text frames.
 *
 * - `serialize` throws `INVALID_MESSAGE` for values JSON cannot represent (`undefined`, a
 *   function, a symbol, a `BigInt`, a cycle).
 * - `deserialize` parses text frames; binary frames (`ArrayBuffer` or a typed array) are decoded
 *   as UTF-8 text, then parsed. Invalid UTF-8, invalid JSON, and `Blob` frames (which cannot be
 *   read synchronously; clients use `binaryType = 'arraybuffer'`) throw `INVALID_MESSAGE`.
 */
export const JSONSerializer: MessageSerializer = {
  serialize<T>(message: T): string {
    let text: string | undefined;
    try {
      text = JSON.stringify(message);
    } catch (cause) {
      throw invalid('Cannot serialize message as JSON', cause, false);
    }
    // JSON.stringify returns undefined for undefined, functions and symbols.
    if (text === undefined) throw invalid(`Cannot serialize a ${typeof message} as JSON`, message, false);
    return text;
  },

  deserialize<T>(data: RawData): T {
    let text = data;
    try {
      // A Blob cannot be read synchronously: TextDecoder throws a TypeError for it.
      if (typeof text !== 'string') text = (utf8 ??= new TextDecoder('utf-8', { fatal: true })).decode(text as ArrayBuffer);
    } catch (cause) {
      throw invalid('Frame is not UTF-8', cause);
    }
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw invalid('Frame is not JSON', cause);
    }
  },
};
