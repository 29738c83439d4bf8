import fc from 'fast-check';

import { TEST_KEYS, testRequest } from '../../../test/rfc9421-examples';
import { requestMessage } from './http-message.util';
import { signMessage, type SignMessageOptions } from './sign-message.util';
import { type VerifyMessageOptions, verifyMessageSignature } from './verify-message.util';

const CREATED = 1_700_000_000;
const at = (seconds: number) => () => new Date(seconds * 1000);
const ed25519 = { key: TEST_KEYS.ed25519.publicKey, alg: 'ed25519' as const };

async function sign(overrides: Partial<SignMessageOptions> = {}, extra: Record<string, string> = {}) {
  return signMessage(testRequest(extra), {
    label: 'sig1',
    components: ['@method', '@target-uri', 'content-digest'],
    keyid: 'test-key-ed25519',
    alg: 'ed25519',
    key: TEST_KEYS.ed25519.privateKey,
    created: new Date(CREATED * 1000),
    ...overrides,
  } as SignMessageOptions);
}

async function verify(headers: Record<string, string>, options: Partial<VerifyMessageOptions> = {}) {
  return verifyMessageSignature(testRequest(headers), {
    keyLookup: (keyid) => (keyid === 'test-key-ed25519' ? ed25519 : undefined),
    now: at(CREATED),
    ...options,
  });
}

describe('verifyMessageSignature', () => {
  it('answers the verified label, key, parameters, components and base', async () => {
    const signed = await sign({ nonce: 'n-1', tag: 'lgsp' });
    const result = await verify({ 'Signature-Input': signed.signatureInput, Signature: signed.signature });
    expect(result).toMatchObject({
      ok: true,
      label: 'sig1',
      keyid: 'test-key-ed25519',
      alg: 'ed25519',
      covered: [{ name: '@method' }, { name: '@target-uri' }, { name: 'content-digest' }],
      base: signed.base,
      params: { created: CREATED, nonce: 'n-1', tag: 'lgsp', alg: 'ed25519' },
    });
  });

  it('tells a message without signature (missing) from one with half of it (malformed)', async () => {
    const signed = await sign();
    expect(await verify({})).toMatchObject({ ok: false, reason: 'missing' });
    expect(await verify({ 'Signature-Input': signed.signatureInput })).toMatchObject({ ok: false, reason: 'malformed', detail: expect.stringMatching(/without signature$/) });
    expect(await verify({ Signature: signed.signature })).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await verify({ 'Signature-Input': 'sig1=(', Signature: signed.signature })).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('verifies the first signature, or the one labelled', async () => {
    const first = await sign({ label: 'first' });
    const second = await sign({ label: 'second', keyid: 'other', key: TEST_KEYS.eccP256.privateKey, alg: 'ecdsa-p256-sha256' });
    const headers = { 'Signature-Input': `${first.signatureInput}, ${second.signatureInput}`, Signature: `${second.signature}, ${first.signature}` };
    expect(await verify(headers)).toMatchObject({ ok: true, label: 'first' });
    expect(await verify(headers, { label: 'second' })).toMatchObject({ ok: false, reason: 'unknown-key', label: 'second' });
    const both: VerifyMessageOptions['keyLookup'] = (keyid) => (keyid === 'other' ? { key: TEST_KEYS.eccP256.publicKey, alg: 'ecdsa-p256-sha256' } : ed25519);
    expect(await verify(headers, { label: 'second', keyLookup: both })).toMatchObject({ ok: true, label: 'second', keyid: 'other' });
    expect(await verify(headers, { label: 'third' })).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('reads the signature from other fields when told', async () => {
    const signed = await sign();
    const headers = { 'X-Signature-Input': signed.signatureInput, 'X-Signature': signed.signature };
    expect(await verify(headers)).toMatchObject({ ok: false, reason: 'missing' });
    expect(await verify(headers, { headerNames: { signatureInput: 'x-signature-input', signature: 'x-signature' } })).toMatchObject({ ok: true });
  });

  it('requires the components and parameters it is told to', async () => {
    const signed = await sign();
    const headers = { 'Signature-Input': signed.signatureInput, Signature: signed.signature };
    expect(await verify(headers, { requiredComponents: ['@method', '"content-digest"'], requiredParams: ['created', 'keyid', 'alg'] })).toMatchObject({ ok: true });
    expect(await verify(headers, { requiredComponents: ['@path'] })).toMatchObject({ ok: false, reason: 'missing-component', detail: expect.stringMatching(/does not cover "@path"/) });
    // Covering @method is not covering "@method";req.
    expect(await verify(headers, { requiredComponents: ['"@method";req'] })).toMatchObject({ ok: false, reason: 'missing-component' });
    expect(await verify(headers, { requiredParams: ['nonce'] })).toMatchObject({ ok: false, reason: 'malformed', detail: expect.stringMatching(/no nonce parameter/) });
  });

  it('checks created and expires against the clock', async () => {
    const signed = await sign({ expires: new Date((CREATED + 60) * 1000) });
    const headers = { 'Signature-Input': signed.signatureInput, Signature: signed.signature };
    expect(await verify(headers, { now: at(CREATED + 60) })).toMatchObject({ ok: true });
    expect(await verify(headers, { now: at(CREATED + 61) })).toMatchObject({ ok: false, reason: 'expired' });
    expect(await verify(headers, { now: at(CREATED + 61), clockSkewSeconds: 300 })).toMatchObject({ ok: false, reason: 'expired' });
    expect(await verify(headers, { now: at(CREATED - 1) })).toMatchObject({ ok: false, reason: 'not-yet-valid' });
    expect(await verify(headers, { now: at(CREATED - 5), clockSkewSeconds: 5 })).toMatchObject({ ok: true });
    expect(await verify(headers, { now: at(CREATED + 30), maxAgeSeconds: 30 })).toMatchObject({ ok: true });
    expect(await verify(headers, { now: at(CREATED + 31), maxAgeSeconds: 30 })).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('refuses maxAgeSeconds on a signature without created', async () => {
    const headers = { 'Signature-Input': 'sig1=("@method");keyid="test-key-ed25519"', Signature: 'sig1=:AA==:' };
    expect(await verify(headers, { maxAgeSeconds: 30 })).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('checks the clock before looking the key up, and the key before building the base', async () => {
    const signed = await sign({ components: ['x-absent'], keyid: 'unknown' }, { 'x-absent': 'here' });
    const keyLookup = jest.fn(() => undefined);
    const headers = { 'Signature-Input': signed.signatureInput, Signature: signed.signature };
    expect(await verify(headers, { now: at(CREATED - 10), keyLookup })).toMatchObject({ ok: false, reason: 'not-yet-valid' });
    expect(keyLookup).not.toHaveBeenCalled();
    expect(await verify(headers, { keyLookup })).toMatchObject({ ok: false, reason: 'unknown-key', detail: 'The key unknown is unknown' });
    expect(keyLookup).toHaveBeenCalledWith('unknown', 'ed25519');
    expect(await verify(headers, { keyLookup: () => ed25519 })).toMatchObject({ ok: false, reason: 'missing-component', detail: expect.stringMatching(/no x-absent field/) });
  });

  it('refuses a signature without keyid, an unknown alg, an alg the key is not for, a key unfit for its alg', async () => {
    const signed = await sign();
    const headers = (input: string) => ({ 'Signature-Input': input, Signature: signed.signature });
    expect(await verify(headers('sig1=("@method");created=1700000000'))).toMatchObject({ ok: false, reason: 'unknown-key' });
    expect(await verify(headers('sig1=("@method");created=1700000000;keyid="test-key-ed25519";alg="rsa-v1_5-sha1"'))).toMatchObject({ ok: false, reason: 'unsupported-alg' });
    expect(await verify(headers('sig1=("@method");created=1700000000;keyid="test-key-ed25519";alg="hmac-sha256"'))).toMatchObject({
      ok: false,
      reason: 'unsupported-alg',
      detail: expect.stringMatching(/says hmac-sha256, but the key test-key-ed25519 is for ed25519/),
    });
    expect(await verify(headers(signed.signatureInput), { keyLookup: () => ({ key: TEST_KEYS.rsa.publicKey, alg: 'ed25519' }) })).toMatchObject({ ok: false, reason: 'unsupported-alg' });
  });

  it('refuses an invalid component as malformed, a wrong signature as bad-signature', async () => {
    const signed = await sign();
    expect(await verify({ 'Signature-Input': signed.signatureInput.replace('"@method"', '"@status"'), Signature: signed.signature })).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await verify({ 'Signature-Input': signed.signatureInput.replace('"@method"', '"@method" "@method"'), Signature: signed.signature })).toMatchObject({
      ok: false,
      reason: 'malformed',
      detail: expect.stringMatching(/covered more than once/),
    });
    expect(await verify({ 'Signature-Input': signed.signatureInput, Signature: signed.signature }, { keyLookup: () => ({ key: TEST_KEYS.eccP256.publicKey, alg: 'ed25519' }) })).toMatchObject({
      ok: false,
      reason: 'unsupported-alg',
    });
    const other = await sign({}, { 'Content-Digest': 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:' });
    expect(await verify({ 'Signature-Input': signed.signatureInput, Signature: other.signature })).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('verifies what it signs and refuses any change to a covered field (property)', async () => {
    const value = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/);
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.stringMatching(/^x-[a-z]{1,8}$/), value, { minKeys: 1, maxKeys: 5 }), value, async (fields, replacement) => {
        const message = requestMessage({ method: 'PUT', url: 'https://lgsp.example/v1/a?b=c', headers: fields });
        const names = Object.keys(fields);
        const signed = await signMessage(message, { label: 'p', components: ['@method', ...names], keyid: 'k', alg: 'hmac-sha256', key: TEST_KEYS.sharedSecret.privateKey, created: new Date(CREATED * 1000) });
        const verifyWith = (headers: Record<string, string>) =>
          verifyMessageSignature(requestMessage({ method: 'PUT', url: 'https://lgsp.example/v1/a?b=c', headers: { ...headers, 'signature-input': signed.signatureInput, signature: signed.signature } }), {
            keyLookup: () => ({ key: TEST_KEYS.sharedSecret.publicKey, alg: 'hmac-sha256' }),
            now: at(CREATED),
          });
        expect((await verifyWith(fields)).ok).toBe(true);
        const [changed] = names;
        if (replacement !== fields[changed]) {
          expect(await verifyWith({ ...fields, [changed]: replacement })).toMatchObject({ ok: false, reason: 'bad-signature' });
        }
      }),
      { numRuns: 50 },
    );
  });
});
