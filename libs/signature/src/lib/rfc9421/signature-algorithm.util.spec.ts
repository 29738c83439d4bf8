import { constants, createPrivateKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';

import { TEST_KEYS } from '../../../test/rfc9421-examples';
import { keyMismatch, SIGNATURE_ALGORITHMS, type SignatureAlgorithm, signBase, verifyBase } from './signature-algorithm.util';

const KEYS: Record<SignatureAlgorithm, { privateKey: KeyObject; publicKey: KeyObject }> = {
  'rsa-pss-sha512': TEST_KEYS.rsaPss,
  'rsa-v1_5-sha256': TEST_KEYS.rsa,
  'hmac-sha256': TEST_KEYS.sharedSecret,
  'ecdsa-p256-sha256': TEST_KEYS.eccP256,
  'ecdsa-p384-sha384': generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  ed25519: TEST_KEYS.ed25519,
};
const BASE = Buffer.from('"@method": POST\n"@signature-params": ("@method");created=1');

describe('signature algorithms', () => {
  it.each(SIGNATURE_ALGORITHMS)('%s signs and verifies, and refuses another base', (alg) => {
    const { privateKey, publicKey } = KEYS[alg];
    const signature = signBase(alg, privateKey, BASE);
    expect(verifyBase(alg, publicKey, BASE, signature)).toBe(true);
    expect(verifyBase(alg, publicKey, Buffer.from(`${BASE.toString()} `), signature)).toBe(false);
    expect(verifyBase(alg, publicKey, BASE, Buffer.alloc(signature.length))).toBe(false);
    expect(verifyBase(alg, publicKey, BASE, Buffer.alloc(3))).toBe(false);
  });

  it('ECDSA signatures are the fixed-size r||s of RFC 9421 §3.3.4, not DER', () => {
    expect(signBase('ecdsa-p256-sha256', KEYS['ecdsa-p256-sha256'].privateKey, BASE)).toHaveLength(64);
    expect(signBase('ecdsa-p384-sha384', KEYS['ecdsa-p384-sha384'].privateKey, BASE)).toHaveLength(96);
    const der = signBase('ecdsa-p256-sha256', KEYS['ecdsa-p256-sha256'].privateKey, BASE);
    expect(verifyBase('ecdsa-p256-sha256', KEYS['ecdsa-p256-sha256'].publicKey, BASE, Buffer.concat([Buffer.from([0x30]), der]))).toBe(false);
  });

  it('RSA-PSS signs with a 64-byte salt and verifies any salt length', () => {
    const { privateKey, publicKey } = TEST_KEYS.rsaPss;
    const ours = signBase('rsa-pss-sha512', privateKey, BASE);
    expect(verify('sha512', BASE, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }, ours)).toBe(true);
    // Node's default, and http-message-signatures', is the longest salt the key allows (190 bytes here).
    const maxSalt = sign('sha512', BASE, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING });
    expect(verify('sha512', BASE, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }, maxSalt)).toBe(false);
    expect(verifyBase('rsa-pss-sha512', publicKey, BASE, maxSalt)).toBe(true);
    expect(verifyBase('rsa-pss-sha512', TEST_KEYS.rsa.publicKey, BASE, signBase('rsa-v1_5-sha256', TEST_KEYS.rsa.privateKey, BASE))).toBe(false);
  });

  it.each([
    ['rsa-v1_5-sha256', TEST_KEYS.eccP256.publicKey, /needs an RSA key/],
    ['rsa-pss-sha512', TEST_KEYS.sharedSecret.publicKey, /needs an RSA key/],
    ['ecdsa-p256-sha256', KEYS['ecdsa-p384-sha384'].publicKey, /needs an EC key on prime256v1/],
    ['ed25519', TEST_KEYS.rsa.publicKey, /needs an Ed25519 key/],
    ['hmac-sha256', TEST_KEYS.ed25519.publicKey, /needs a shared secret/],
    ['rsa-v1_5-sha256', generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, /at least 2048 bits \(this one has 1024\)/],
  ] as const)('%s refuses an unfit key', (alg, key, message) => {
    expect(keyMismatch(alg, key)).toMatch(message);
    expect(() => signBase(alg, key.type === 'public' ? createPrivateKeyFor(key) : key, BASE)).toThrow(message);
    expect(verifyBase(alg, key, BASE, Buffer.alloc(64))).toBe(false);
  });

  it('rsa-pss-sha512 accepts the RSASSA-PSS key type of test-key-rsa-pss', () => {
    expect(TEST_KEYS.rsaPss.privateKey.asymmetricKeyType).toBe('rsa-pss');
    expect(keyMismatch('rsa-pss-sha512', TEST_KEYS.rsaPss.privateKey)).toBeUndefined();
    expect(keyMismatch('rsa-v1_5-sha256', TEST_KEYS.rsaPss.privateKey)).toMatch(/needs an RSA key/);
  });
});

/** A private key of the same type as `key`, to show signing refuses it for the same reason. */
function createPrivateKeyFor(key: KeyObject): KeyObject {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? KEYS['ecdsa-p384-sha384'].privateKey : TEST_KEYS.eccP256.privateKey;
    case 'ed25519':
      return TEST_KEYS.ed25519.privateKey;
    case 'rsa':
      return key.asymmetricKeyDetails?.modulusLength === 1024
        ? createPrivateKey(generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey)
        : TEST_KEYS.rsa.privateKey;
    default:
      return key;
  }
}
