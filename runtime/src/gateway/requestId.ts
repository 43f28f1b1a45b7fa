// Request ids: random (version 4) UUIDs, as `crypto.randomUUID()` makes them, from the same CSPRNG and with the same
// entropy cache (128 ids per fill). Its text is built from 36 pieces, so every request carried a 20-part cons string
// (~0.5 KB) that each header writer then flattened; this one is written as bytes and read back as one flat string.
import { randomFillSync } from 'node:crypto';

const IDS_PER_FILL = 128;
const random = Buffer.alloc(16 * IDS_PER_FILL);
let used = IDS_PER_FILL;
const text = Buffer.alloc(36);
/** The two lowercase hex digits of each byte value, as one 16-bit little-endian pair. */
const HEX_PAIRS = new Uint16Array(256);
const HEX = Buffer.from('0123456789abcdef', 'latin1');
for (let byte = 0; byte < 256; byte++) HEX_PAIRS[byte] = HEX[byte >> 4]! | (HEX[byte & 15]! << 8);
const DASH = 0x2d;

/** `xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx` (N one of 8, 9, a, b), lowercase, as RFC 9562 writes a version 4 UUID. */
export function newRequestId(): string {
  if (used === IDS_PER_FILL) {
    randomFillSync(random);
    used = 0;
  }
  const offset = 16 * used++;
  let at = 0;
  for (let index = 0; index < 16; index++) {
    if (index === 4 || index === 6 || index === 8 || index === 10) text[at++] = DASH;
    let byte = random[offset + index]!;
    if (index === 6)
      byte = (byte & 0x0f) | 0x40; // version 4
    else if (index === 8) byte = (byte & 0x3f) | 0x80; // variant 10xx
    const pair = HEX_PAIRS[byte]!;
    text[at++] = pair & 0xff;
    text[at++] = pair >> 8;
  }
  return text.toString('latin1', 0, 36);
}
