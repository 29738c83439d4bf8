import { createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { Header } from '@lgsp/contracts';
import {
  REQUEST_LABEL,
  REQUIRED_REQUEST_COMPONENTS,
  algorithmForKey,
  componentId,
  contentDigest,
  requestMessage,
  serializeSignatureHeaders,
  signBase,
  signLgspRequest,
  signatureBase,
} from '@lgsp/signature';
import type { SignatureAlgorithm } from '@lgsp/signature';

import type { SigningIdentity } from './load-spec.type';

export interface SignableRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
}

/**
 * Signs requests under the LGSP profile synchronously, because autocannon builds each request in a
 * synchronous `setupRequest`. signLgspRequest is async (it accepts remote signers), so this does
 * the same steps with the same @lgsp/signature primitives, and `create` checks once that both give
 * the same signature base and Signature-Input, so the two cannot drift apart unnoticed.
 */
export class RequestSigner {
  private constructor(
    private readonly keyid: string,
    private readonly key: KeyObject,
    private readonly alg: SignatureAlgorithm,
  ) {}

  static async create(identity: SigningIdentity): Promise<RequestSigner> {
    const key = createPrivateKey(readFileSync(identity.keyFile));
    const alg = algorithmForKey(key, undefined);
    if (alg === undefined) throw new Error(`${identity.keyFile}: the key fits no algorithm of the LGSP profile`);
    const signer = new RequestSigner(identity.keyid, key, alg);
    const probe: SignableRequest = {
      method: 'POST',
      url: 'http://127.0.0.1:1/v1/bench/organisations',
      headers: { [Header.requestId]: '00000000-0000-4000-8000-000000000000', 'content-type': 'application/json' },
      body: Buffer.from('{"name":"probe"}'),
    };
    const now = new Date();
    const ours = signer.sign(probe, now);
    const theirs = await signLgspRequest(probe, { keyid: identity.keyid, key, now });
    const same = ours.base === theirs.base && ours.headers[Header.signatureInput] === theirs.headers[Header.signatureInput];
    if (!same) throw new Error('The benchmark signer no longer matches signLgspRequest: update tools/bench/src/load/request-signer.util.ts');
    return signer;
  }

  /** Content-Digest (with a body), X-Signature-Input and X-Signature for this request. */
  sign(request: SignableRequest, now = new Date()): { headers: Record<string, string>; base: string } {
    const body = request.body ?? new Uint8Array();
    const added: Record<string, string> = {};
    if (body.length > 0) added[Header.contentDigest] = contentDigest(body);
    const headers = { ...request.headers, ...added };
    const covered = (body.length > 0 ? [...REQUIRED_REQUEST_COMPONENTS, Header.contentDigest] : [...REQUIRED_REQUEST_COMPONENTS]).map(componentId);
    const params = { created: Math.floor(now.getTime() / 1000), keyid: this.keyid, alg: this.alg };
    const message = requestMessage({ method: request.method, url: request.url, headers });
    const base = signatureBase(message, covered, params);
    const signature = signBase(this.alg, this.key, Buffer.from(base, 'ascii'));
    const serialized = serializeSignatureHeaders(REQUEST_LABEL, covered, params, signature);
    return { headers: { ...added, [Header.signatureInput]: serialized.signatureInput, [Header.signature]: serialized.signature }, base };
  }
}
