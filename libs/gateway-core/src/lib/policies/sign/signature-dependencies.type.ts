import type { X509Certificate } from 'node:crypto';

import type { RegisteredCertificate, ReplayGuard } from '@lgsp/signature';

import type { ResponseSigner } from './response-signer';

/** What verify and sign are built with (the gateway module fills it in from config and the registry). */
export interface SignatureDependencies {
  /** The snapshot's signing certificates by keyid (parsed once per snapshot). */
  readonly certificates: (keyid: string) => RegisteredCertificate | undefined;
  readonly replayGuard: ReplayGuard;
  /** LGSP_CRL; unset: only the registry status counts. */
  readonly isRevoked?: (certificate: X509Certificate) => boolean;
  /** LGSP_PUBLIC_URL's origin: the target URI is this plus the path and query as received. */
  readonly publicOrigin: string;
  /** LGSP_REQUIRE_SIGNED_WRITES. */
  readonly requireSignedWrites: boolean;
  /** LGSP_SIGN_ALL_RESPONSES. */
  readonly signAllResponses: boolean;
  readonly signer: ResponseSigner;
}
