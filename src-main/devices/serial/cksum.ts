// POSIX `cksum` (CRC-32, polynomial 0x04C11DB7, MSB first, length appended, inverted), so the
// board's own `cksum` (coreutils or busybox) can check what crossed the wire.

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

function update(crc: number, byte: number): number {
  return ((crc << 8) ^ TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
}

/** The CRC that `cksum` prints for these bytes. */
export function posixCksum(data: Uint8Array): number {
  let crc = 0;
  for (const byte of data) crc = update(crc, byte);
  for (let len = data.length; len > 0; len = Math.floor(len / 256)) crc = update(crc, len & 0xff);
  return ~crc >>> 0;
}

/** "CRC.LENGTH", the form the board-side helpers print (`cksum | tr ' ' .`). */
export function cksumTag(data: Uint8Array): string {
  return `${posixCksum(data)}.${data.length}`;
}
