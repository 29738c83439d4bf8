import { X509Certificate } from 'node:crypto';

import type { SnapshotCertificate } from '@lgsp/data';
import type { Logger } from '@lgsp/observability';
import type { RegisteredCertificate } from '@lgsp/signature';

/** The consumers' signing certificates by keyid, parsed once per registry snapshot, never per request. */
export class SigningCertificates {
  private byKeyid: ReadonlyMap<string, RegisteredCertificate> = new Map();
  /** Parsed certificates by SHA-256 fingerprint, reused across snapshots while the PEM is unchanged. */
  private parsed: ReadonlyMap<string, RegisteredCertificate> = new Map();

  constructor(private readonly logger?: Logger) {}

  readonly get = (keyid: string): RegisteredCertificate | undefined => this.byKeyid.get(keyid);

  get size(): number {
    return this.byKeyid.size;
  }

  /** Replaces the set with the snapshot's; a certificate that cannot be parsed is left out (its keyid then answers key_unknown) and logged. */
  update(rows: readonly SnapshotCertificate[] | undefined): void {
    const byKeyid = new Map<string, RegisteredCertificate>();
    const parsed = new Map<string, RegisteredCertificate>();
    for (const row of rows ?? []) {
      const cacheKey = `${row.id}\n${row.consumerId}\n${row.status}\n${row.fingerprintSha256}`;
      let registered = this.parsed.get(cacheKey);
      if (registered === undefined) {
        try {
          const certificate = new X509Certificate(row.pem);
          registered = { consumerId: row.consumerId, certificate, status: row.status === 'revoked' ? 'revoked' : 'active', publicKey: certificate.publicKey };
        } catch (error) {
          this.logger?.error({ err: error, event: { action: 'signing-certificate-invalid' }, lgsp: { keyid: row.id } }, 'a registered signing certificate cannot be parsed; its keyid is not accepted');
          continue;
        }
      }
      parsed.set(cacheKey, registered);
      byKeyid.set(row.id, registered);
    }
    this.byKeyid = byKeyid;
    this.parsed = parsed;
  }
}
