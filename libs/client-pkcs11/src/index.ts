// A PKCS#11 signer for @lgsp/client: USB tokens and HSMs (docs/consumers.md §6, "Hardware tokens")
export * from './lib/pkcs11-signer.error';
export * from './lib/pkcs11-signer.type';
export * from './lib/pkcs11-signer.util';
export { ecdsaDerToRaw } from './lib/ecdsa-signature.util';
