import type { RawData, SerializedData } from '@composable-svelte/ws-types';

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
