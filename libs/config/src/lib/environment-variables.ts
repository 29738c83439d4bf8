import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';

import { ConfigVariable } from './config-variable.decorator';

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  return value;
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The environment variables of every LGSP process, validated at start-up. Property names are the
 * variable names. All are optional on the embedded default; conditional rules use @ValidateIf.
 */
export class EnvironmentVariables {
  @ConfigVariable({ description: 'Port of the public listener: data plane, OAuth endpoints, well-known documents, health and metrics.', isSensitive: false, defaultText: '8080' })
  @Type(() => Number)
  @Min(0)
  @Max(65535)
  @IsInt()
  LGSP_PORT = 8080;

  @ConfigVariable({ description: 'Port of the admin listener (admin API, SOC search, reconciliation).', isSensitive: false, defaultText: '8081' })
  @Type(() => Number)
  @Min(0)
  @Max(65535)
  @IsInt()
  LGSP_ADMIN_PORT = 8081;

  @ConfigVariable({ description: 'Bind address of the public listener.', isSensitive: false, defaultText: '127.0.0.1' })
  @IsString()
  @Matches(/^[0-9a-zA-Z.:-]+$/, { message: 'must be an IP address or host name' })
  LGSP_HOST = '127.0.0.1';

  @ConfigVariable({ description: 'Bind address of the admin listener; loopback unless configured.', isSensitive: false, defaultText: '127.0.0.1' })
  @IsString()
  @Matches(/^[0-9a-zA-Z.:-]+$/, { message: 'must be an IP address or host name' })
  LGSP_ADMIN_HOST = '127.0.0.1';

  @ConfigVariable({ description: 'External base URL: OAuth issuer, token audience, absolute links.', isSensitive: false, defaultText: 'http://{LGSP_HOST}:{LGSP_PORT}' })
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'must be an absolute http(s) URL' })
  LGSP_PUBLIC_URL?: string;

  @ConfigVariable({ description: 'Serve plain HTTP on the public listener. Allowed by default only when bound to loopback; set true behind a TLS-terminating load balancer.', isSensitive: false, defaultText: 'true on loopback, false otherwise' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  LGSP_ALLOW_PLAIN_HTTP?: boolean;

  @ConfigVariable({ description: 'Directory where the embedded default keeps its files (PGlite registry, ledger segments, generated keys).', isSensitive: false, defaultText: '.lgsp (under the working directory)' })
  @IsString()
  @MinLength(1)
  LGSP_DATA_DIR = '.lgsp';

  @ConfigVariable({ description: 'A YAML or JSON file applied to the registry at start-up (openapi/declarative-config.schema.json).', isSensitive: false })
  @IsOptional()
  @IsString()
  @MinLength(1)
  LGSP_DECLARATIVE_CONFIG?: string;

  @ConfigVariable({ description: 'A PEM file of the CA certificates consumer signing certificates must chain to (the Government Cipher Committee\'s). Unset: the registry refuses certificate uploads (the declarative file may still carry certificates).', isSensitive: false })
  @IsOptional()
  @IsString()
  @MinLength(1)
  LGSP_TRUST_ANCHORS?: string;

  @ConfigVariable({ description: 'Public holidays (YYYY-MM-DD, comma-separated) that are not working days for the DGO\'s 5-working-day answer to a registration; weekends never are.', isSensitive: false })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}(,\d{4}-\d{2}-\d{2})*$/, { message: 'must be dates YYYY-MM-DD separated by commas' })
  LGSP_HOLIDAYS?: string;

  @ConfigVariable({ description: 'Connection registrations one client IP may submit without credentials per hour.', isSensitive: false, defaultText: '10' })
  @Type(() => Number)
  @Min(1)
  @Max(10000)
  @IsInt()
  LGSP_REGISTRATIONS_PER_HOUR = 10;

  @ConfigVariable({ description: 'PostgreSQL URL for the registry and IAM tables, instead of the embedded PGlite.', isSensitive: true })
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['postgres', 'postgresql'] }, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @ConfigVariable({ description: 'Key of the keyed hash (HMAC-SHA-256) under which client secrets are stored. Generated into the data dir on the embedded default; required with DATABASE_URL, where every replica must share it.', isSensitive: true })
  @ValidateIf((env: EnvironmentVariables) => env.DATABASE_URL !== undefined || env.LGSP_SECRET_PEPPER !== undefined)
  @MinLength(32, { message: 'must be at least 32 characters' })
  @IsString({ message: 'is required with DATABASE_URL (every replica must hash secrets with the same key)' })
  LGSP_SECRET_PEPPER?: string;

  @ConfigVariable({ description: 'Key that encrypts the signing keys stored in the database (AES-256-GCM under an HKDF of this value). Generated into the data dir on the embedded default; required with DATABASE_URL, where every replica must share it.', isSensitive: true })
  @ValidateIf((env: EnvironmentVariables) => env.DATABASE_URL !== undefined || env.LGSP_KEY_ENCRYPTION_KEY !== undefined)
  @MinLength(32, { message: 'must be at least 32 characters' })
  @IsString({ message: 'is required with DATABASE_URL (every replica must read the same signing keys)' })
  LGSP_KEY_ENCRYPTION_KEY?: string;

  @ConfigVariable({ description: 'Where a gateway running apart from IAM fetches the JWKS and introspects tokens; unset: in-process.', isSensitive: false })
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'must be an absolute http(s) URL' })
  LGSP_IAM_URL?: string;

  @ConfigVariable({ description: 'Lifetime of access tokens in seconds unless the credential sets its own.', isSensitive: false, defaultText: '3600' })
  @Type(() => Number)
  @Min(60)
  @Max(86400)
  @IsInt()
  LGSP_TOKEN_TTL_SECONDS = 3600;

  @ConfigVariable({ description: 'Days a token-signing key signs before the next one takes over (it stays published until its last token expired).', isSensitive: false, defaultText: '30' })
  @Type(() => Number)
  @Min(1)
  @Max(365)
  @IsInt()
  LGSP_SIGNING_KEY_ROTATION_DAYS = 30;

  @ConfigVariable({ description: 'How often a gateway refreshes the JWKS, in seconds; a new signing key is published at least twice this long before it signs.', isSensitive: false, defaultText: '300' })
  @Type(() => Number)
  @Min(5)
  @Max(86400)
  @IsInt()
  LGSP_JWKS_REFRESH_SECONDS = 300;

  @ConfigVariable({ description: 'Hours a rotated client secret stays valid beside its successor.', isSensitive: false, defaultText: '24' })
  @Type(() => Number)
  @Min(0)
  @Max(720)
  @IsInt()
  LGSP_SECRET_ROTATION_OVERLAP_HOURS = 24;

  @ConfigVariable({ description: 'Failed client authentications per client id or per IP within 15 minutes after which the token endpoint refuses that client id or IP for 15 minutes (answers are slowed from a third of it).', isSensitive: false, defaultText: '10' })
  @Type(() => Number)
  @Min(1)
  @Max(10000)
  @IsInt()
  LGSP_AUTH_FAILURE_LIMIT = 10;

  @ConfigVariable({ description: "Redis shared by the replicas: the throttling counters, IAM's failed-authentication counts and client-assertion replay guard (and the signature replay guard). Unset: in-process.", isSensitive: true })
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['redis', 'rediss'] }, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @ConfigVariable({ description: 'Milliseconds a gateway waits for Redis before deciding locally; a Redis call never makes a request hang.', isSensitive: false, defaultText: '50' })
  @Type(() => Number)
  @Min(1)
  @Max(5000)
  @IsInt()
  LGSP_REDIS_TIMEOUT_MS = 50;

  @ConfigVariable({ description: 'Gateway replicas sharing the limits; while Redis is unreachable each replica admits its share (the limit divided by this).', isSensitive: false, defaultText: '1' })
  @Type(() => Number)
  @Min(1)
  @Max(1000)
  @IsInt()
  LGSP_GATEWAY_REPLICAS = 1;

  @ConfigVariable({ description: 'Reads (GET, HEAD) per minute per consumer system and environment unless the registry sets its own limit.', isSensitive: false, defaultText: '1000' })
  @Type(() => Number)
  @Min(1)
  @Max(10000000)
  @IsInt()
  LGSP_READ_LIMIT_PER_MINUTE = 1000;

  @ConfigVariable({ description: 'Writes (POST, PUT, PATCH, DELETE) per minute per consumer system and environment unless the registry sets its own limit.', isSensitive: false, defaultText: '300' })
  @Type(() => Number)
  @Min(1)
  @Max(10000000)
  @IsInt()
  LGSP_WRITE_LIMIT_PER_MINUTE = 300;

  @ConfigVariable({ description: 'Log level: fatal, error, warn, info, debug, trace or silent.', isSensitive: false, defaultText: 'info' })
  @IsIn(LOG_LEVELS as unknown as string[], { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LGSP_LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @ConfigVariable({ description: 'OpenTelemetry OTLP/HTTP endpoint; tracing is off when unset. The standard OTEL_* variables (sampler, service name) apply.', isSensitive: false })
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'must be an absolute http(s) URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @ConfigVariable({ description: 'Share of new traces recorded when tracing is on (parent-based: a sampled caller is always followed).', isSensitive: false, defaultText: '0.1' })
  @Type(() => Number)
  @Min(0)
  @Max(1)
  @IsNumber({}, { message: 'must be a number from 0 to 1' })
  OTEL_TRACES_SAMPLER_ARG = 0.1;

  @ConfigVariable({ description: 'Milliseconds to wait for a TCP (and TLS) connection to a provider service.', isSensitive: false, defaultText: '1000' })
  @Type(() => Number)
  @Min(1)
  @Max(60000)
  @IsInt()
  LGSP_UPSTREAM_CONNECT_TIMEOUT_MS = 1000;

  @ConfigVariable({ description: 'Milliseconds a provider service has to answer a read (GET, HEAD) unless its API overrides it.', isSensitive: false, defaultText: '2000' })
  @Type(() => Number)
  @Min(1)
  @Max(300000)
  @IsInt()
  LGSP_UPSTREAM_READ_TIMEOUT_MS = 2000;

  @ConfigVariable({ description: 'Milliseconds a provider service has to answer a write (POST, PUT, PATCH, DELETE) unless its API overrides it.', isSensitive: false, defaultText: '10000' })
  @Type(() => Number)
  @Min(1)
  @Max(300000)
  @IsInt()
  LGSP_UPSTREAM_WRITE_TIMEOUT_MS = 10000;

  @ConfigVariable({ description: 'Largest request body the gateway accepts, in bytes (413 payload_too_large beyond).', isSensitive: false, defaultText: '1048576' })
  @Type(() => Number)
  @Min(1)
  @Max(1073741824)
  @IsInt()
  LGSP_MAX_BODY_BYTES = 1048576;

  @ConfigVariable({ description: 'How often the gateway flushes transaction records to the durable outbox, in milliseconds; a crash loses at most this interval.', isSensitive: false, defaultText: '200' })
  @Type(() => Number)
  @Min(1)
  @Max(60000)
  @IsInt()
  LGSP_LEDGER_FLUSH_INTERVAL_MS = 200;

  @ConfigVariable({ description: 'Size at which a local ledger segment file is closed and a new one started, in bytes.', isSensitive: false, defaultText: '67108864' })
  @Type(() => Number)
  @Min(4096)
  @IsInt()
  LGSP_LEDGER_SEGMENT_BYTES = 67108864;

  @ConfigVariable({ description: 'Port of the demo provider service that `npm start` runs and registers (0 picks a free port).', isSensitive: false, defaultText: '9100' })
  @Type(() => Number)
  @Min(0)
  @Max(65535)
  @IsInt()
  LGSP_DEMO_PROVIDER_PORT = 9100;
}
