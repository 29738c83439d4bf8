import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';

import { IsAddressList } from './address-list.decorator';
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

  @ConfigVariable({ description: 'PEM file of the public listener\'s certificate chain (leaf first). With LGSP_TLS_KEY the listener serves HTTPS only: TLS 1.2 at least, TLS 1.3 preferred.', isSensitive: false })
  @ValidateIf((env: EnvironmentVariables) => env.LGSP_TLS_CERT !== undefined || env.LGSP_TLS_KEY !== undefined)
  @MinLength(1)
  @IsString({ message: 'is required with LGSP_TLS_KEY (the certificate of that key)' })
  LGSP_TLS_CERT?: string;

  @ConfigVariable({ description: 'PEM file of the private key of LGSP_TLS_CERT (the path, never the key, is the value).', isSensitive: false })
  @ValidateIf((env: EnvironmentVariables) => env.LGSP_TLS_CERT !== undefined || env.LGSP_TLS_KEY !== undefined)
  @MinLength(1)
  @IsString({ message: 'is required with LGSP_TLS_CERT (the private key of that certificate)' })
  LGSP_TLS_KEY?: string;

  @ConfigVariable({ description: 'PEM bundle of the CA certificates (usually the LGSP_TRUST_ANCHORS file) whose client certificates the public listener asks for: optional mutual TLS. A client without one is still served; a verified one is known to the gateway by its SHA-256 fingerprint. Needs LGSP_TLS_CERT and LGSP_TLS_KEY.', isSensitive: false })
  @IsOptional()
  @IsString()
  @MinLength(1)
  LGSP_TLS_CLIENT_CA?: string;

  @ConfigVariable({ description: 'IP addresses and CIDR blocks (IPv4 or IPv6, comma-separated) of the load balancers and proxies whose X-Forwarded-For is believed: the client IP (zones, per-IP limits, ledger) is the rightmost address not in this list. Unset: the connection\'s address.', isSensitive: false })
  @IsOptional()
  @IsAddressList()
  LGSP_TRUSTED_PROXIES?: string;

  @ConfigVariable({ description: 'CIDR blocks (comma-separated) of the Party wide-area network: Mật and Tối mật operations are served only to client IPs inside them (403 zone_forbidden otherwise). Unset: no client is in the zone.', isSensitive: false })
  @IsOptional()
  @IsAddressList()
  LGSP_WAN_CIDRS?: string;

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

  @ConfigVariable({ description: 'Consecutive failures (connection errors, timeouts, 502/503/504 answers) after which the gateway stops calling a provider origin and answers 503 circuit_open.', isSensitive: false, defaultText: '5' })
  @Type(() => Number)
  @Min(1)
  @Max(1000)
  @IsInt()
  LGSP_CIRCUIT_FAILURE_THRESHOLD = 5;

  @ConfigVariable({ description: 'Milliseconds an open circuit refuses calls to its provider origin (the Retry-After of circuit_open) before one trial call is let through.', isSensitive: false, defaultText: '30000' })
  @Type(() => Number)
  @Min(100)
  @Max(3600000)
  @IsInt()
  LGSP_CIRCUIT_OPEN_MS = 30000;

  @ConfigVariable({ description: 'PKCS#8 PEM file of the EC P-256 private key that signs the backend JWT (X-LGSP-Assertion) sent to providers; every gateway replica must share it. Unset: generated once into the data dir.', isSensitive: false, defaultText: '$LGSP_DATA_DIR/backend-jwt-key.pem' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  LGSP_BACKEND_JWT_KEY?: string;

  @ConfigVariable({ description: 'Whether every write (POST, PUT, PATCH, DELETE; a SOAP call unless its action reads) must carry a valid X-Signature (401 signature_missing otherwise). Mật and Tối mật operations always need one.', isSensitive: false, defaultText: 'true' })
  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  LGSP_REQUIRE_SIGNED_WRITES = true;

  @ConfigVariable({ description: 'Sign every data-plane response (X-Signature, label lgsp), not only the answers to signed requests.', isSensitive: false, defaultText: 'false' })
  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  LGSP_SIGN_ALL_RESPONSES = false;

  @ConfigVariable({ description: 'PKCS#8 PEM file of the private key (EC P-256, or RSA of 2048 bits or more) the gateway signs responses with; every replica must share it. Unset: an EC P-256 key generated once into the data dir.', isSensitive: false, defaultText: '$LGSP_DATA_DIR/platform-signing-key.pem' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  LGSP_SIGNING_KEY?: string;

  @ConfigVariable({ description: 'PEM file of the X.509 certificate of LGSP_SIGNING_KEY, published (x5c) with the key at /.well-known/lgsp-signing-keys. Unset: the public key is published alone.', isSensitive: false })
  @IsOptional()
  @IsString()
  @MinLength(1)
  LGSP_SIGNING_CERT?: string;

  @ConfigVariable({ description: 'File path or http(s) URL of the certificate revocation list (PEM or DER) checked for consumer signing certificates: one on it is refused with certificate_revoked. A URL is fetched within 10 s; a refresh that fails keeps the last list read. Unset: only the registry status counts.', isSensitive: false })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @Matches(/^(?!(?!https?:\/\/)[a-z][a-z0-9+.-]*:\/\/)/i, { message: 'must be a file path or an http(s):// URL' })
  LGSP_CRL?: string;

  @ConfigVariable({ description: 'How often the gateway reads (or fetches) LGSP_CRL again, in seconds.', isSensitive: false, defaultText: '3600' })
  @Type(() => Number)
  @Min(1)
  @Max(604800)
  @IsInt()
  LGSP_CRL_REFRESH_SECONDS = 3600;

  @ConfigVariable({ description: 'Largest request body the gateway accepts, in bytes (413 payload_too_large beyond).', isSensitive: false, defaultText: '1048576' })
  @Type(() => Number)
  @Min(1)
  @Max(1073741824)
  @IsInt()
  LGSP_MAX_BODY_BYTES = 1048576;

  @ConfigVariable({ description: 'Requests per second one client IP may send to the data plane before the guard answers 429 rate_limited, ahead of token verification (a cheap flood shield, not the consumer budget). 0 turns it off.', isSensitive: false, defaultText: '200' })
  @Type(() => Number)
  @Min(0)
  @Max(1000000)
  @IsInt()
  LGSP_GUARD_PER_IP_PER_SECOND = 200;

  @ConfigVariable({ description: 'Data-plane requests one gateway works on at once; beyond, the guard answers 429 rate_limited with Retry-After: 1 before verifying the token.', isSensitive: false, defaultText: '2000' })
  @Type(() => Number)
  @Min(1)
  @Max(1000000)
  @IsInt()
  LGSP_GUARD_MAX_IN_FLIGHT = 2000;

  @ConfigVariable({ description: 'Largest request head (request line and headers) of the public listener, in bytes; larger ones are answered 431 and the connection closed.', isSensitive: false, defaultText: '16384' })
  @Type(() => Number)
  @Min(1024)
  @Max(1048576)
  @IsInt()
  LGSP_MAX_HEADER_BYTES = 16384;

  @ConfigVariable({ description: 'Open connections the public listener accepts; further ones are closed at once.', isSensitive: false, defaultText: '10000' })
  @Type(() => Number)
  @Min(1)
  @Max(1000000)
  @IsInt()
  LGSP_MAX_CONNECTIONS = 10000;

  @ConfigVariable({ description: 'Milliseconds a client has to send a whole request (head and body) to the public listener; a slower one is answered 408 and disconnected.', isSensitive: false, defaultText: '10000' })
  @Type(() => Number)
  @Min(100)
  @Max(600000)
  @IsInt()
  LGSP_CLIENT_TIMEOUT_MS = 10000;

  @ConfigVariable({ description: 'Milliseconds a client has to send the request head (and a new connection its first request); at most LGSP_CLIENT_TIMEOUT_MS. Also bounds the TLS handshake.', isSensitive: false, defaultText: '5000' })
  @Type(() => Number)
  @Min(100)
  @Max(600000)
  @IsInt()
  LGSP_CLIENT_HEADERS_TIMEOUT_MS = 5000;

  @ConfigVariable({ description: 'Milliseconds an idle keep-alive connection of the public listener stays open between requests (longer than a load balancer\'s idle timeout, so the balancer closes first).', isSensitive: false, defaultText: '72000' })
  @Type(() => Number)
  @Min(100)
  @Max(600000)
  @IsInt()
  LGSP_KEEP_ALIVE_TIMEOUT_MS = 72000;

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

  @ConfigVariable({ description: 'The gateway\'s per-request access log line (stdout, ECS JSON): `all`, `errors` (status 400 and above only) or `off`. Every transaction is in the ledger either way; the line duplicates its record and costs about a fifth of the read chain\'s throughput (docs/benchmarks.md), so clusters that ship the ledger to Elasticsearch run with `errors`.', isSensitive: false, defaultText: 'all' })
  @IsIn(['all', 'errors', 'off'], { message: 'must be all, errors or off' })
  LGSP_ACCESS_LOG: 'all' | 'errors' | 'off' = 'all';

  @ConfigVariable({ description: 'Where gateways and IAM hand their transaction records: `files` (numbered segment files under the data dir, the embedded default) or `postgres` (the ledger_outbox table of DATABASE_URL, shared by every replica: the cluster mode, where a replica keeps nothing that must outlive it).', isSensitive: false, defaultText: 'files' })
  @IsIn(['files', 'postgres'], { message: 'must be files or postgres' })
  LGSP_LEDGER_OUTBOX: 'files' | 'postgres' = 'files';

  @ConfigVariable({ description: 'Extra outbox segment directories the ledger service ships (comma-separated), besides the data dir\'s own gateway and IAM outboxes: for gateways on the same host writing to their own data dirs.', isSensitive: false })
  @IsOptional()
  @IsString()
  LGSP_LEDGER_OUTBOX_DIRS?: string;

  @ConfigVariable({ description: 'Elasticsearch for the ledger (one URL, or several separated by commas). Unset: the ledger\'s own store (the registry database) answers search and reconciliation.', isSensitive: true })
  @IsOptional()
  @Matches(/^https?:\/\/[^\s,]+(,https?:\/\/[^\s,]+)*$/i, { message: 'must be http(s) URLs separated by commas' })
  ELASTICSEARCH_URL?: string;

  @ConfigVariable({ description: 'Elasticsearch API key (base64 id:key), preferred to a user name and password.', isSensitive: true })
  @IsOptional()
  @IsString()
  ELASTICSEARCH_API_KEY?: string;

  @ConfigVariable({ description: 'Elasticsearch user name (with ELASTICSEARCH_PASSWORD).', isSensitive: false })
  @IsOptional()
  @IsString()
  ELASTICSEARCH_USERNAME?: string;

  @ConfigVariable({ description: 'Elasticsearch password.', isSensitive: true })
  @ValidateIf((env: EnvironmentVariables) => env.ELASTICSEARCH_USERNAME !== undefined || env.ELASTICSEARCH_PASSWORD !== undefined)
  @IsString({ message: 'is required with ELASTICSEARCH_USERNAME' })
  ELASTICSEARCH_PASSWORD?: string;

  @ConfigVariable({ description: 'PEM file of the CA that signed Elasticsearch\'s certificate (https).', isSensitive: false })
  @IsOptional()
  @IsString()
  ELASTICSEARCH_CA?: string;

  @ConfigVariable({ description: 'Name of the Elasticsearch data stream (and its index template and ILM policy prefix).', isSensitive: false, defaultText: 'lgsp-transactions' })
  @Matches(/^[a-z0-9][a-z0-9._-]{0,200}$/, { message: 'must be a lower-case Elasticsearch index name' })
  LGSP_LEDGER_DATA_STREAM = 'lgsp-transactions';

  @ConfigVariable({ description: 'Days transaction records are kept: the ILM delete phase in Elasticsearch, the purge of the local store.', isSensitive: false, defaultText: '365' })
  @Type(() => Number)
  @Min(1)
  @Max(36500)
  @IsInt()
  LGSP_LEDGER_RETENTION_DAYS = 365;

  @ConfigVariable({ description: 'How often the ledger signs the head of each outbox partition\'s hash chain, in seconds.', isSensitive: false, defaultText: '60' })
  @Type(() => Number)
  @Min(1)
  @Max(86400)
  @IsInt()
  LGSP_LEDGER_HEAD_INTERVAL_SECONDS = 60;

  @ConfigVariable({ description: 'The SOC collector that receives security events as RFC 5424 syslog: tcp://host:port or tls://host:port (octet-counted frames, RFC 6587). Unset: events are only flagged in the ledger.', isSensitive: false })
  @IsOptional()
  @Matches(/^(tcp|tls):\/\/[^\s/]+:\d{1,5}\/?$/i, { message: 'must be tcp://host:port or tls://host:port' })
  LGSP_SYSLOG_URL?: string;

  @ConfigVariable({ description: 'PEM file of the CA that signed the syslog collector\'s certificate (tls://); unset: the system CAs.', isSensitive: false })
  @IsOptional()
  @IsString()
  LGSP_SYSLOG_CA?: string;

  @ConfigVariable({ description: 'Milliseconds a stopping process (SIGTERM, SIGINT) lets requests in flight finish once it has stopped accepting; then their connections are closed, the ledger outbox is flushed and the process exits.', isSensitive: false, defaultText: '10000' })
  @Type(() => Number)
  @Min(0)
  @Max(600000)
  @IsInt()
  LGSP_SHUTDOWN_GRACE_MS = 10000;

  @ConfigVariable({ description: 'Port of the demo provider service that `npm start` runs and registers (0 picks a free port).', isSensitive: false, defaultText: '9100' })
  @Type(() => Number)
  @Min(0)
  @Max(65535)
  @IsInt()
  LGSP_DEMO_PROVIDER_PORT = 9100;
}
