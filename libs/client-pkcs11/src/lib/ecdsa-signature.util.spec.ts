import { generateKeyPairSync, sign, verify } from 'node:crypto';

import { ecdsaDerToRaw, ecdsaRawSignature } from './ecdsa-signature.util';

describe('ECDSA signatures from tokens', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.from('signature base');

  it('turns a DER signature into r‖s, short integers padded', () => {
    for (let attempt = 0; attempt < 32; attempt += 1) {
      const der = sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });

      const raw = ecdsaDerToRaw(der, 32);

      expect(raw).toHaveLength(64);
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
    }
  });

  it('keeps a signature that already is r‖s', () => {
    const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });

    expect(ecdsaRawSignature(raw, 32)).toBe(raw);
  });

  it('refuses what is neither', () => {
    expect(() => ecdsaRawSignature(Buffer.from('3003020101', 'hex'), 32)).toThrow('Not a DER ECDSA signature');
    expect(() => ecdsaRawSignature(Buffer.alloc(70, 1), 32)).toThrow('Not a DER ECDSA signature');
  });
});
