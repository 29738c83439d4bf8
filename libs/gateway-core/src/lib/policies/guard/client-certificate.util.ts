import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** Per connection: the verified client certificate's fingerprint, worked out on its first request. */
const fingerprints = new WeakMap<Socket, string | null>();

/**
 * The SHA-256 fingerprint (lowercase hex, as the registry stores certificates) of the client
 * certificate the TLS handshake verified against LGSP_TLS_CLIENT_CA; undefined on plain HTTP, without
 * a certificate, or with one that did not verify (mutual TLS is asked for, never required).
 */
export function verifiedClientCertificate(socket: Socket): string | undefined {
  if ((socket as Partial<TLSSocket>).authorized !== true) return undefined;
  let fingerprint = fingerprints.get(socket);
  if (fingerprint === undefined) {
    const certificate = (socket as TLSSocket).getPeerCertificate();
    fingerprint = typeof certificate?.fingerprint256 === 'string' ? certificate.fingerprint256.replaceAll(':', '').toLowerCase() : null;
    fingerprints.set(socket, fingerprint);
  }
  return fingerprint ?? undefined;
}
