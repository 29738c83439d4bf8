import { createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';

import { TEST_KEYS, testRequest } from '../../../test/rfc9421-examples';
import { signMessage } from './sign-message.util';
import { SignatureSyntaxError } from './signature.error';
import { verifyMessageSignature } from './verify-message.util';

const created = new Date('2026-01-01T00:00:00Z');
const base = { label: 'sig1', components: ['@method', '@path'], keyid: 'test-key-ed25519', alg: 'ed25519' as const, created };

describe('signMessage', () => {
  it('writes the parameters in the order created, keyid, alg, expires, nonce, tag', async () => {
    const signed = await signMessage(testRequest(), { ...base, key: TEST_KEYS.ed25519.privateKey, expires: new Date('2026-01-01T00:05:00Z'), nonce: 'abc', tag: 'lgsp' });
    expect(signed.signatureInput).toBe('sig1=("@method" "@path");created=1767225600;keyid="test-key-ed25519";alg="ed25519";expires=1767225900;nonce="abc";tag="lgsp"');
    expect(signed.signature).toMatch(/^sig1=:[A-Za-z0-9+/]+=*:$/);
    expect(signed.base).toBe(
      '"@method": POST\n"@path": /foo\n"@signature-params": ("@method" "@path");created=1767225600;keyid="test-key-ed25519";alg="ed25519";expires=1767225900;nonce="abc";tag="lgsp"',
    );
    expect(signed.params).toEqual({ created: 1767225600, keyid: 'test-key-ed25519', alg: 'ed25519', expires: 1767225900, nonce: 'abc', tag: 'lgsp' });
  });

  it('hands the base to an asynchronous signer (a hardware token) and uses its signature', async () => {
    const signer = jest.fn(async (data: Buffer) => nodeSign(null, data, TEST_KEYS.ed25519.privateKey));
    const signed = await signMessage(testRequest(), { ...base, signer });
    expect(signer).toHaveBeenCalledWith(Buffer.from(signed.base, 'ascii'));
    const signature = Buffer.from(signed.signature.slice('sig1=:'.length, -1), 'base64');
    expect(nodeVerify(null, Buffer.from(signed.base), createPublicKey(TEST_KEYS.ed25519.privateKey), signature)).toBe(true);
    const result = await verifyMessageSignature(testRequest({ 'Signature-Input': signed.signatureInput, Signature: signed.signature }), {
      keyLookup: () => ({ key: TEST_KEYS.ed25519.publicKey, alg: 'ed25519' }),
      now: () => created,
    });
    expect(result.ok).toBe(true);
  });

  it('needs exactly one of key and signer, and a key that fits the algorithm', async () => {
    await expect(signMessage(testRequest(), base)).rejects.toThrow(/either a key or a signer/);
    await expect(signMessage(testRequest(), { ...base, key: TEST_KEYS.ed25519.privateKey, signer: async () => Buffer.alloc(0) })).rejects.toThrow(/either a key or a signer/);
    await expect(signMessage(testRequest(), { ...base, key: TEST_KEYS.rsa.privateKey })).rejects.toThrow(/needs an Ed25519 key/);
  });

  it('refuses what cannot be serialised or has no value in the message', async () => {
    const key = TEST_KEYS.ed25519.privateKey;
    await expect(signMessage(testRequest(), { ...base, key, keyid: 'chữ-ký' })).rejects.toThrow(SignatureSyntaxError);
    await expect(signMessage(testRequest(), { ...base, key, label: 'Sig 1' })).rejects.toThrow(SignatureSyntaxError);
    await expect(signMessage(testRequest(), { ...base, key, created: new Date(Number.NaN) })).rejects.toThrow(/created is an invalid date/);
    await expect(signMessage(testRequest(), { ...base, key, components: ['x-absent'] })).rejects.toThrow(/has no x-absent field/);
  });
});
