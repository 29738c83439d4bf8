import fc from 'fast-check';

import { type ComponentId, componentId } from './component.util';
import { parseSignatureHeaders, serializeSignatureHeaders } from './signature-headers.util';
import { SignatureSyntaxError } from './signature.error';

describe('parseSignatureHeaders', () => {
  it('reads every labelled signature with its components and parameters, in order', () => {
    const signatures = parseSignatureHeaders(
      'sig1=("@method" "@query-param";name="Pet" "signature";req;key="sig0");created=1618884473;keyid="k1";alg="ed25519";expires=1618884773;nonce="n";tag="t";x-private="kept", sig2=();created=1',
      'sig2=:AQID:, sig1=:BAUG:, stray=:AA==:',
    );
    expect(signatures.map(({ label }) => label)).toEqual(['sig1', 'sig2']);
    const [first, second] = signatures;
    expect(first).toMatchObject({
      label: 'sig1',
      covered: [{ name: '@method' }, { name: '@query-param', params: { name: 'Pet' } }, { name: 'signature', params: { req: true, key: 'sig0' } }],
      created: 1618884473,
      expires: 1618884773,
      keyid: 'k1',
      alg: 'ed25519',
      nonce: 'n',
      tag: 't',
      params: { created: 1618884473, keyid: 'k1', alg: 'ed25519', expires: 1618884773, nonce: 'n', tag: 't', 'x-private': 'kept' },
      signatureParams: '("@method" "@query-param";name="Pet" "signature";req;key="sig0");created=1618884473;keyid="k1";alg="ed25519";expires=1618884773;nonce="n";tag="t";x-private="kept"',
    });
    expect(Object.keys(first.params)).toEqual(['created', 'keyid', 'alg', 'expires', 'nonce', 'tag', 'x-private']);
    expect(first.signature).toEqual(Buffer.from([4, 5, 6]));
    expect(second).toMatchObject({ covered: [], created: 1, signatureParams: '();created=1', signature: Buffer.from([1, 2, 3]) });
  });

  it('gives the canonical serialisation as @signature-params whatever the spacing received', () => {
    const [parsed] = parseSignatureHeaders('sig1=(  "@method"   "@path" );created=1;keyid="k"', 'sig1=:AA==:');
    expect(parsed.signatureParams).toBe('("@method" "@path");created=1;keyid="k"');
  });

  it.each([
    ['Signature-Input that is not a dictionary', 'sig1=("@method"', 'sig1=:AA==:', /Signature-Input is not a structured dictionary/],
    ['Signature that is not a dictionary', 'sig1=();created=1', 'sig1=:AA', /Signature is not a structured dictionary/],
    ['a member that is not an inner list', 'sig1="@method";created=1', 'sig1=:AA==:', /not an inner list/],
    ['a component that is a token', 'sig1=(method);created=1', 'sig1=:AA==:', /must be a structured-field string/],
    ['a component parameter that is a number', 'sig1=("@query-param";name=1);created=1', 'sig1=:AA==:', /must be a string or a flag/],
    ['created that is not an integer', 'sig1=();created=1.5', 'sig1=:AA==:', /created parameter of sig1 must be a non-negative integer/],
    ['created that is a string', 'sig1=();created="1"', 'sig1=:AA==:', /created parameter/],
    ['keyid that is a token', 'sig1=();keyid=k', 'sig1=:AA==:', /keyid parameter of sig1 must be a string/],
    ['an extension parameter that is a token', 'sig1=();x=tok', 'sig1=:AA==:', /does not support/],
    ['expires before created', 'sig1=();created=10;expires=9', 'sig1=:AA==:', /expires before it was created/],
    ['a label without signature', 'sig1=();created=1', 'sig2=:AA==:', /Signature does not hold/],
    ['a signature that is not a byte sequence', 'sig1=();created=1', 'sig1="AA=="', /not a byte sequence/],
    ['a signature that is an inner list', 'sig1=();created=1', 'sig1=(:AA==:)', /not a byte sequence/],
  ])('refuses %s', (_case, input, signature, message) => {
    expect(() => parseSignatureHeaders(input, signature)).toThrow(SignatureSyntaxError);
    expect(() => parseSignatureHeaders(input, signature)).toThrow(message);
  });

  it('round-trips what serializeSignatureHeaders writes', () => {
    const component = fc.oneof(
      fc.constantFrom('@method', '@target-uri', '@authority', '@path', '@query', '@status').map((name): ComponentId => ({ name })),
      fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).map((name): ComponentId => ({ name })),
      fc.stringMatching(/^[A-Za-z0-9%]{1,10}$/).map((name): ComponentId => ({ name: '@query-param', params: { name } })),
      fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/).map((key): ComponentId => ({ name: 'signature', params: { req: true, key } })),
    );
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,10}$/),
        fc.uniqueArray(component, { selector: (c) => JSON.stringify(c), maxLength: 6 }),
        fc.record({ created: fc.nat(), keyid: fc.stringMatching(/^[ -~]{0,20}$/) }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        (label, covered, params, bytes) => {
          const headers = serializeSignatureHeaders(label, covered, params, bytes);
          const [parsed] = parseSignatureHeaders(headers.signatureInput, headers.signature);
          expect(parsed.label).toBe(label);
          expect(parsed.covered).toEqual(covered.map((c) => componentId(c)));
          expect(parsed.params).toEqual(params);
          expect(parsed.signature).toEqual(Buffer.from(bytes));
          expect(headers.signatureInput).toBe(`${label}=${parsed.signatureParams}`);
        },
      ),
    );
  });

  it('refuses to serialise a label that is not a structured-field key', () => {
    expect(() => serializeSignatureHeaders('Sig', [], {}, new Uint8Array([1]))).toThrow(SignatureSyntaxError);
  });
});
