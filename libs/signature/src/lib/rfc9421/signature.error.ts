/** Signature-Input or Signature does not parse, or breaks an RFC 9421 rule about their contents. */
export class SignatureSyntaxError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SignatureSyntaxError';
  }
}

/**
 * A component of the signature base cannot be produced: `missing` when the message lacks it (a
 * header, a query parameter, the request of a `;req` component), `invalid` when the identifier
 * itself is wrong or unsupported (an unknown derived component, `@status` on a request, `;tr`).
 */
export class SignatureBaseError extends Error {
  constructor(
    readonly kind: 'missing' | 'invalid',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SignatureBaseError';
  }
}
