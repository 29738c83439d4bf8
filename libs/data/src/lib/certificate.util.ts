import { X509Certificate } from 'node:crypto';

export interface CertificateInfo {
  /** The certificate alone, re-encoded: any other PEM block in the input (a private key) is dropped. */
  readonly pem: string;
  /** Lower-case hex SHA-256 of the DER encoding. */
  readonly fingerprintSha256: string;
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Parses a PEM X.509 certificate; throws when the text holds none. */
export function parseCertificate(pem: string): CertificateInfo {
  const certificate = new X509Certificate(pem);
  return {
    pem: certificate.toString(),
    fingerprintSha256: certificate.fingerprint256.replaceAll(':', '').toLowerCase(),
    subject: certificate.subject,
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber.toLowerCase(),
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
  };
}
