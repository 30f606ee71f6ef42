/** PNG encoding with node:zlib: signature, IHDR, one IDAT, IEND, each chunk with its CRC-32. 8-bit RGB only; it
 * knows nothing of what the picture shows. */
import { deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1;
  return n;
});

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(data.length + 12);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  let crc = -1;
  for (let i = 4; i < data.length + 8; i++) crc = CRC_TABLE[(crc ^ out[i]!) & 0xff]! ^ (crc >>> 8);
  out.writeUInt32BE((crc ^ -1) >>> 0, data.length + 8);
  return out;
}

/** `scanlines`: per row, filter byte 0 then width × R, G, B, as PNG stores them before compression. */
export function encodePng(width: number, height: number, scanlines: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2], 8); // 8 bits per channel, truecolour; deflate, no filter method, no interlace follow as zeros
  const image = deflateSync(scanlines, { level: 3 }); // on a screen: twice the bytes of level 6, in half the time
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', image), chunk('IEND', new Uint8Array())]);
}
