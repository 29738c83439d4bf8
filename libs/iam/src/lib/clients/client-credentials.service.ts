import type { LgspConfig } from '@lgsp/config';
import type { Environment } from '@lgsp/contracts';
import { ENVIRONMENTS, ErrorCode, LgspError } from '@lgsp/contracts';
import type { LgspDb } from '@lgsp/data';
import { hashSecret, insertCredential, rotateCredentialSecret } from '@lgsp/data';

import { MAX_TOKEN_TTL_SECONDS } from '../iam.constant';
import { generateClientId, generateClientSecret } from '@lgsp/data';

export interface IssueCredentialInput {
  readonly consumerId: string;
  readonly environment: Environment;
  /** Generated when absent. */
  readonly clientId?: string;
  /** The credential's own token lifetime in seconds (60 to 86400); absent: LGSP_TOKEN_TTL_SECONDS. */
  readonly tokenTtlSeconds?: number;
}

/** A secret shown exactly once: the caller hands it to its owner and keeps nothing. */
export interface IssuedSecret {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface RotatedSecret extends IssuedSecret {
  /** Until when the secret it replaces still authenticates. */
  readonly previousSecretExpiresAt: Date;
}

const CLIENT_ID_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/;

/**
 * Credentials of consumer systems: issue and rotate. Secrets come from the CSPRNG, are stored only
 * as their keyed hash and returned once. The registry's admin API calls these; its filter turns
 * the LgspErrors into problem+json (404 for an unknown consumer or credential, 422 otherwise).
 */
export class ClientCredentialsService {
  constructor(
    private readonly db: LgspDb,
    private readonly config: LgspConfig,
    private readonly pepper: string,
    private readonly clock: () => Date,
  ) {}

  async issueCredential(input: IssueCredentialInput): Promise<IssuedSecret> {
    if (!ENVIRONMENTS.includes(input.environment)) throw new LgspError(ErrorCode.Unprocessable, `environment must be one of ${ENVIRONMENTS.join(', ')}`);
    const ttl = input.tokenTtlSeconds;
    if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 60 || ttl > MAX_TOKEN_TTL_SECONDS)) {
      throw new LgspError(ErrorCode.Unprocessable, `tokenTtlSeconds must be an integer from 60 to ${MAX_TOKEN_TTL_SECONDS}`);
    }
    const clientId = input.clientId ?? generateClientId();
    if (!CLIENT_ID_PATTERN.test(clientId)) throw new LgspError(ErrorCode.Unprocessable, 'clientId must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ -');
    const clientSecret = generateClientSecret();
    const result = await insertCredential(this.db, {
      clientId,
      consumerId: input.consumerId,
      environment: input.environment,
      secretHash: hashSecret(clientSecret, this.pepper),
      tokenTtlSeconds: ttl,
    });
    if (!result.inserted) {
      throw result.reason === 'consumer-unknown'
        ? new LgspError(ErrorCode.NotFound, 'No such consumer system')
        : new LgspError(ErrorCode.Unprocessable, 'This client id is already in use');
    }
    return { clientId, clientSecret };
  }

  /**
   * A new secret for an active credential; the one it replaces keeps working for
   * LGSP_SECRET_ROTATION_OVERLAP_HOURS (a second rotation ends the first one's overlap).
   */
  async rotateClientSecret(clientId: string): Promise<RotatedSecret> {
    const clientSecret = generateClientSecret();
    const previousSecretExpiresAt = new Date(this.clock().getTime() + this.config.tokens.secretRotationOverlapHours * 3_600_000);
    const rotated = await rotateCredentialSecret(this.db, clientId, hashSecret(clientSecret, this.pepper), previousSecretExpiresAt);
    if (!rotated) throw new LgspError(ErrorCode.NotFound, 'No active credential with this client id');
    return { clientId, clientSecret, previousSecretExpiresAt };
  }
}
