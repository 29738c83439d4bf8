import { ErrorCode } from '@lgsp/contracts';

import { FIXTURE_NOW, type TestConsumer, testConsumer } from '../../../test/lgsp-fixtures';
import { contentDigest } from '../content-digest/content-digest.util';
import { parseSignatureHeaders } from '../rfc9421/signature-headers.util';
import { signMessage } from '../rfc9421/sign-message.util';
import { requestMessage } from '../rfc9421/http-message.util';
import type { LgspHttpRequest } from './lgsp-message.type';
import { MemoryReplayGuard } from './memory-replay-guard';
import type { ReplayGuard } from './replay-guard.type';
import { type LgspSigningOptions, signLgspRequest } from './sign-lgsp.util';
import { type VerifyLgspRequestOptions, verifyLgspRequestSignature } from './verify-lgsp-request.util';

const URL_ = 'https://lgsp.gov.vn/v1/documents/van-ban?nam=2026';
const REQUEST_ID = '5f0e7c9a-3b1d-4e2f-9a8b-1c2d3e4f5a6b';
const BODY = Buffer.from('{"soHieu":"123/QĐ-UBND"}');
const NOW = FIXTURE_NOW;
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const plus = (s: number) => new Date(NOW.getTime() + s * 1000);

const EC = testConsumer('consumer-ec');
const RSA = testConsumer('consumer-rsa');
const ED25519 = testConsumer('consumer-ed25519');
const STRANGER = testConsumer('other-consumer-ec', 'bo-noi-vu.hrm');
const REGISTRY = new Map([EC, RSA, ED25519, STRANGER].map((consumer) => [consumer.keyid, consumer.registered]));

function post(overrides: Partial<LgspHttpRequest> = {}): LgspHttpRequest {
  return { method: 'POST', url: URL_, headers: { 'x-request-id': REQUEST_ID, 'content-type': 'application/json' }, body: BODY, ...overrides };
}

/** The request as the consumer sends it: its headers with the signature and Content-Digest added. */
async function signed(consumer: TestConsumer = EC, request = post(), options: Partial<LgspSigningOptions> & { fields?: 'lgsp' | 'standard' } = {}): Promise<LgspHttpRequest> {
  const signature = await signLgspRequest(request, { keyid: consumer.keyid, key: consumer.privateKey, now: NOW, ...options });
  return { ...request, headers: { ...(request.headers as Record<string, string>), ...signature.headers } };
}

function options(overrides: Partial<VerifyLgspRequestOptions> = {}): VerifyLgspRequestOptions {
  return {
    keys: (keyid) => REGISTRY.get(keyid),
    consumerId: 'tu-ha-noi.qlcb',
    now: () => NOW,
    replayGuard: new MemoryReplayGuard({ now: () => NOW.getTime() }),
    ...overrides,
  };
}

function withHeaders(request: LgspHttpRequest, headers: Record<string, string | undefined>): LgspHttpRequest {
  return { ...request, headers: { ...(request.headers as Record<string, string>), ...headers } };
}

describe('verifyLgspRequestSignature', () => {
  it.each([
    ['ECDSA P-256', EC, 'ecdsa-p256-sha256'],
    ['RSA (PKCS#1 v1.5 by default)', RSA, 'rsa-v1_5-sha256'],
    ['Ed25519', ED25519, 'ed25519'],
  ] as const)('accepts a POST signed with an %s certificate, and answers the evidence', async (_name, consumer, alg) => {
    const request = await signed(consumer);
    const result = await verifyLgspRequestSignature(request, options());
    expect(result).toEqual({
      ok: true,
      evidence: {
        label: 'sig1',
        signatureInput: `sig1=("@method" "@target-uri" "x-request-id" "content-digest");created=${seconds(NOW)};keyid="${consumer.keyid}";alg="${alg}"`,
        signature: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
        keyid: consumer.keyid,
        alg,
        certificateFingerprint: consumer.registered.certificate.fingerprint256,
        digests: { 'sha-256': contentDigest(BODY).slice('sha-256=:'.length, -1) },
        created: seconds(NOW),
        field: 'x-signature',
      },
    });
  });

  it('accepts RSA-PSS from an RSA certificate when alg says so', async () => {
    const result = await verifyLgspRequestSignature(await signed(RSA, post(), { alg: 'rsa-pss-sha512' }), options());
    expect(result).toMatchObject({ ok: true, evidence: { alg: 'rsa-pss-sha512' } });
  });

  it('accepts a GET without body and without Content-Digest', async () => {
    const get = await signed(EC, post({ method: 'GET', body: undefined }));
    expect((get.headers as Record<string, string>)['content-digest']).toBeUndefined();
    expect(await verifyLgspRequestSignature(get, options())).toMatchObject({ ok: true, evidence: { digests: {} } });
  });

  it('accepts the standard Signature and Signature-Input fields too', async () => {
    const result = await verifyLgspRequestSignature(await signed(EC, post(), { fields: 'standard' }), options());
    expect(result).toMatchObject({ ok: true, evidence: { field: 'signature' } });
  });

  it('keeps nonce and expires in the evidence', async () => {
    const result = await verifyLgspRequestSignature(await signed(EC, post(), { nonce: 'abc', expires: plus(60) }), options());
    expect(result).toMatchObject({ ok: true, evidence: { nonce: 'abc', expires: seconds(NOW) + 60 } });
  });

  describe('refusals', () => {
    const refused = async (request: LgspHttpRequest | Promise<LgspHttpRequest>, code: ErrorCode, detail: RegExp, overrides: Partial<VerifyLgspRequestOptions> = {}) => {
      const result = await verifyLgspRequestSignature(await request, options(overrides));
      expect(result).toEqual({ ok: false, code, detail: expect.stringMatching(detail) });
    };

    it('signature_missing without X-Signature nor Signature', () => refused(post(), ErrorCode.SignatureMissing, /carries no X-Signature/));

    it('signature_invalid for half a signature or a malformed one', async () => {
      const request = await signed();
      await refused(withHeaders(request, { 'x-signature': undefined }), ErrorCode.SignatureInvalid, /without x-signature$/);
      await refused(withHeaders(request, { 'x-signature-input': 'sig1=(' }), ErrorCode.SignatureInvalid, /not a structured dictionary/);
    });

    it('signature_invalid when a required component or parameter is not covered', async () => {
      const cover = async (components: string[], params: { keyid?: string; created?: boolean } = {}) => {
        const request = post();
        const digest = contentDigest(BODY);
        const message = requestMessage({ ...request, headers: { ...(request.headers as Record<string, string>), 'content-digest': digest } });
        const sig = await signMessage(message, { label: 'sig1', components, keyid: params.keyid ?? EC.keyid, alg: 'ecdsa-p256-sha256', key: EC.privateKey, created: NOW });
        const input = params.created === false ? sig.signatureInput.replace(/;created=\d+/, '') : sig.signatureInput;
        return withHeaders(request, { 'content-digest': digest, 'x-signature-input': input, 'x-signature': sig.signature });
      };
      await refused(cover(['@method', 'x-request-id', 'content-digest']), ErrorCode.SignatureInvalid, /does not cover "@target-uri"/);
      await refused(cover(['@method', '@target-uri', 'content-digest']), ErrorCode.SignatureInvalid, /does not cover "x-request-id"/);
      await refused(cover(['@method', '@target-uri', 'x-request-id']), ErrorCode.SignatureInvalid, /does not cover "content-digest"/);
      await refused(cover(['@method', '@target-uri', 'x-request-id', 'content-digest'], { created: false }), ErrorCode.SignatureInvalid, /no created parameter/);
    });

    it('signature_invalid when the signature does not verify', async () => {
      const request = await signed();
      await refused({ ...request, method: 'PUT' }, ErrorCode.SignatureInvalid, /does not verify with the key consumer-ec-2026/);
      await refused({ ...request, url: 'https://lgsp.gov.vn/v1/documents/van-ban?nam=2025' }, ErrorCode.SignatureInvalid, /does not verify/);
      await refused(withHeaders(request, { 'x-request-id': 'a1b2c3d4-0000-4000-8000-000000000000' }), ErrorCode.SignatureInvalid, /does not verify/);
      const forged = await signed({ ...EC, privateKey: STRANGER.privateKey });
      await refused(forged, ErrorCode.SignatureInvalid, /does not verify/);
    });

    it('signature_invalid for an alg the certificate cannot sign with', async () => {
      const request = await signed(EC);
      const input = (request.headers as Record<string, string>)['x-signature-input'].replace('alg="ecdsa-p256-sha256"', 'alg="rsa-pss-sha512"');
      await refused(withHeaders(request, { 'x-signature-input': input }), ErrorCode.SignatureInvalid, /cannot sign with rsa-pss-sha512/);
    });

    it('digest_mismatch when the body received is not the body signed', async () => {
      const request = await signed();
      await refused({ ...request, body: Buffer.from('{"soHieu":"999/QĐ-UBND"}') }, ErrorCode.DigestMismatch, /does not match the content received/);
    });

    it('digest_mismatch for a Content-Digest that cannot be checked, even one the signature covers', async () => {
      const request = post();
      const sign = (digest: string) =>
        signMessage(requestMessage({ ...request, headers: { ...(request.headers as Record<string, string>), 'content-digest': digest } }), {
          label: 'sig1',
          components: ['@method', '@target-uri', 'x-request-id', 'content-digest'],
          keyid: EC.keyid,
          alg: 'ecdsa-p256-sha256',
          key: EC.privateKey,
          created: NOW,
        }).then((sig) => withHeaders(request, { 'content-digest': digest, 'x-signature-input': sig.signatureInput, 'x-signature': sig.signature }));
      await refused(sign('md5=:AAAA:'), ErrorCode.DigestMismatch, /no sha-256 or sha-512 member/);
      await refused(sign('sha-256=abc'), ErrorCode.DigestMismatch, /not a byte sequence/);
    });

    it('key_unknown for a keyid not registered, or registered to another consumer system, without telling which', async () => {
      await refused(signed({ ...EC, keyid: 'nobody-2026' }), ErrorCode.KeyUnknown, /^No signing certificate nobody-2026 is registered for this consumer system$/);
      await refused(signed(STRANGER), ErrorCode.KeyUnknown, /^No signing certificate other-consumer-ec-2026 is registered for this consumer system$/);
    });

    it('certificate_revoked by the registry or by the CRL', async () => {
      const request = await signed();
      await refused(request, ErrorCode.CertificateRevoked, /is revoked/, { keys: () => ({ ...EC.registered, status: 'revoked' }) });
      const isRevoked = jest.fn(async () => true);
      await refused(request, ErrorCode.CertificateRevoked, /on the certificate revocation list/, { isRevoked });
      expect(isRevoked).toHaveBeenCalledWith(EC.registered.certificate);
    });

    it('certificate_expired outside the certificate validity', async () => {
      const notAfter = new Date(EC.registered.certificate.validTo);
      const notBefore = new Date(EC.registered.certificate.validFrom);
      const at = async (now: Date) => {
        const request = await signLgspRequest(post(), { keyid: EC.keyid, key: EC.privateKey, now });
        return verifyLgspRequestSignature(withHeaders(post(), request.headers), options({ now: () => now }));
      };
      expect(await at(new Date(notAfter.getTime() + 1000))).toMatchObject({ ok: false, code: ErrorCode.CertificateExpired, detail: expect.stringMatching(/expired on/) });
      expect(await at(new Date(notBefore.getTime() - 1000))).toMatchObject({ ok: false, code: ErrorCode.CertificateExpired, detail: expect.stringMatching(/not valid before/) });
      expect(await at(notAfter)).toMatchObject({ ok: true });
    });

    it('signature_expired when created is outside ±300 s or expires has passed', async () => {
      const at = async (created: Date, overrides: Partial<VerifyLgspRequestOptions> = {}, expires?: Date) =>
        verifyLgspRequestSignature(await signed(EC, post(), { now: created, ...(expires && { expires }) }), options(overrides));
      expect(await at(plus(-300))).toMatchObject({ ok: true });
      expect(await at(plus(300))).toMatchObject({ ok: true });
      expect(await at(plus(-301))).toMatchObject({ ok: false, code: ErrorCode.SignatureExpired, detail: expect.stringMatching(/more than 300 s ago/) });
      expect(await at(plus(301))).toMatchObject({ ok: false, code: ErrorCode.SignatureExpired, detail: expect.stringMatching(/in the future/) });
      expect(await at(plus(-100), {}, plus(-1))).toMatchObject({ ok: false, code: ErrorCode.SignatureExpired, detail: expect.stringMatching(/expired at/) });
      expect(await at(plus(-100), { maxSkewSeconds: 60 })).toMatchObject({ ok: false, code: ErrorCode.SignatureExpired });
      expect(await at(plus(-500), { maxSkewSeconds: 600 })).toMatchObject({ ok: true });
    });

    it('replay_detected for a second request with the same X-Request-ID from the same consumer system', async () => {
      const guard = new MemoryReplayGuard({ now: () => NOW.getTime() });
      const request = await signed();
      expect(await verifyLgspRequestSignature(request, options({ replayGuard: guard }))).toMatchObject({ ok: true });
      await refused(request, ErrorCode.ReplayDetected, new RegExp(`already sent a request with X-Request-ID ${REQUEST_ID}`), { replayGuard: guard });
      // Another signature, same id: still a replay. Another consumer system, same id: not one.
      await refused(signed(EC, post(), { nonce: 'again' }), ErrorCode.ReplayDetected, /already sent/, { replayGuard: guard });
      const other = testConsumer('other-consumer-ec', 'bo-noi-vu.hrm');
      const otherRequest = await signed(other);
      expect(await verifyLgspRequestSignature(otherRequest, options({ replayGuard: guard, consumerId: 'bo-noi-vu.hrm' }))).toMatchObject({ ok: true });
    });
  });

  describe('the order of the checks', () => {
    const spyGuard = (): ReplayGuard & { seen: jest.Mock } => ({ seen: jest.fn(async () => false) });

    it('consults the replay guard only once signature and digest hold, so a forgery cannot use up a request id', async () => {
      const guard = new MemoryReplayGuard({ now: () => NOW.getTime() });
      const seen = jest.spyOn(guard, 'seen');
      const genuine = await signed();
      const forged = await signed({ ...EC, privateKey: STRANGER.privateKey });
      expect(await verifyLgspRequestSignature(forged, options({ replayGuard: guard }))).toMatchObject({ code: ErrorCode.SignatureInvalid });
      expect(await verifyLgspRequestSignature({ ...genuine, body: Buffer.from('x') }, options({ replayGuard: guard }))).toMatchObject({ code: ErrorCode.DigestMismatch });
      expect(seen).not.toHaveBeenCalled();
      expect(await verifyLgspRequestSignature(genuine, options({ replayGuard: guard }))).toMatchObject({ ok: true });
      expect(seen).toHaveBeenCalledTimes(1);
    });

    it('remembers the request id for as long as the signature could be accepted', async () => {
      const guard = spyGuard();
      await verifyLgspRequestSignature(await signed(EC, post(), { now: plus(-100) }), options({ replayGuard: guard }));
      expect(guard.seen).toHaveBeenLastCalledWith('tu-ha-noi.qlcb', REQUEST_ID, 201);
      await verifyLgspRequestSignature(await signed(EC, post({ headers: { 'x-request-id': REQUEST_ID.toUpperCase() } }), { now: plus(250) }), options({ replayGuard: guard }));
      expect(guard.seen).toHaveBeenLastCalledWith('tu-ha-noi.qlcb', REQUEST_ID, 551);
      await verifyLgspRequestSignature(await signed(EC, post(), { expires: plus(30) }), options({ replayGuard: guard }));
      expect(guard.seen).toHaveBeenLastCalledWith('tu-ha-noi.qlcb', REQUEST_ID, 31);
    });

    it('checks the time window before looking the certificate up, and the certificate before the signature', async () => {
      const keys = jest.fn(() => undefined);
      const stale = await signed(EC, post(), { now: plus(-3600) });
      expect(await verifyLgspRequestSignature(stale, options({ keys }))).toMatchObject({ code: ErrorCode.SignatureExpired });
      expect(keys).not.toHaveBeenCalled();
      const isRevoked = jest.fn(() => false);
      const forged = await signed({ ...EC, privateKey: STRANGER.privateKey });
      expect(await verifyLgspRequestSignature(forged, options({ keys: () => ({ ...EC.registered, status: 'revoked' }), isRevoked }))).toMatchObject({
        code: ErrorCode.CertificateRevoked,
      });
      expect(isRevoked).not.toHaveBeenCalled();
    });
  });

  it('verifies the labelled signature when told, the first otherwise', async () => {
    const first = await signed(EC);
    const second = await signLgspRequest(post(), { keyid: ED25519.keyid, key: ED25519.privateKey, now: NOW, label: 'sig2' });
    const headers = first.headers as Record<string, string>;
    const both = withHeaders(first, {
      'x-signature-input': `${headers['x-signature-input']}, ${second.headers['x-signature-input']}`,
      'x-signature': `${headers['x-signature']}, ${second.headers['x-signature']}`,
    });
    expect(await verifyLgspRequestSignature(both, options())).toMatchObject({ ok: true, evidence: { label: 'sig1', keyid: EC.keyid } });
    expect(await verifyLgspRequestSignature(both, options({ label: 'sig2' }))).toMatchObject({ ok: true, evidence: { label: 'sig2', keyid: ED25519.keyid } });
    expect(parseSignatureHeaders(headers['x-signature-input'], headers['x-signature'])).toHaveLength(1);
  });
});
