// RFC 9421 HTTP Message Signatures (no LGSP rules)
export * from './lib/rfc9421/component.util';
export * from './lib/rfc9421/http-message.type';
export * from './lib/rfc9421/http-message.util';
export * from './lib/rfc9421/sign-message.util';
export * from './lib/rfc9421/signature-algorithm.util';
export * from './lib/rfc9421/signature-base.util';
export * from './lib/rfc9421/signature-headers.util';
export * from './lib/rfc9421/signature.error';
export * from './lib/rfc9421/verify-message.util';
// RFC 9530 Content-Digest
export * from './lib/content-digest/content-digest.util';
// The LGSP profile (docs/signatures.md)
export * from './lib/profile/certificate-key.util';
export * from './lib/profile/lgsp-message.type';
export * from './lib/profile/lgsp-signature.constant';
export * from './lib/profile/memory-replay-guard';
export * from './lib/profile/replay-guard.type';
export * from './lib/profile/sign-lgsp.util';
export * from './lib/profile/verify-lgsp-request.util';
// The platform's own signing key (responses, ledger chain heads)
export * from './lib/platform/platform-signing-key.util';
