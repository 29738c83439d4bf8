/**
 * PKCS#11 returns ECDSA signatures as r‖s, but a few vendor modules answer DER (a SEQUENCE of two
 * INTEGERs) instead; RFC 9421 wants r‖s, each left-padded to the curve size.
 */
export function ecdsaDerToRaw(der: Buffer, size: number): Buffer {
  let offset = 0;
  const take = (expectedTag: number): Buffer => {
    if (der[offset] !== expectedTag) throw new TypeError('Not a DER ECDSA signature');
    let length = der[offset + 1];
    offset += 2;
    if (length === 0x81) length = der[offset++];
    else if (length > 0x80) throw new TypeError('Not a DER ECDSA signature');
    const value = der.subarray(offset, offset + length);
    offset += length;
    return value;
  };
  const sequence = take(0x30);
  if (offset !== der.length) throw new TypeError('Not a DER ECDSA signature');
  offset = der.length - sequence.length;
  const integers = [take(0x02), take(0x02)].map((integer) => {
    const firstNonZero = integer.findIndex((byte) => byte !== 0);
    const unsigned = integer.subarray(firstNonZero === -1 ? integer.length : firstNonZero);
    if (unsigned.length > size) throw new TypeError('ECDSA signature component larger than the curve');
    return Buffer.concat([Buffer.alloc(size - unsigned.length), unsigned]);
  });
  return Buffer.concat(integers);
}

/** The signature a token returned, as r‖s: kept when it already is, converted when it is DER. */
export function ecdsaRawSignature(signature: Buffer, size: number): Buffer {
  if (signature.length === size * 2) return signature;
  return ecdsaDerToRaw(signature, size);
}
