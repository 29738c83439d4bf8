import { isAbsolute, resolve } from 'node:path';

import { plainToInstance } from 'class-transformer';
import type { ValidationError } from 'class-validator';
import { validateSync } from 'class-validator';

import { parseAddressList } from './address-range.util';
import type { AddressRange } from './address-range.util';
import { ConfigError } from './config.error';
import { configVariablesOf } from './config-variable.decorator';
import { EnvironmentVariables } from './environment-variables';

/** The validated, typed configuration every LGSP process runs on. */
export interface LgspConfig {
  readonly port: number;
  readonly adminPort: number;
  readonly host: string;
  readonly adminHost: string;
  /** Without a trailing slash. */
  readonly publicUrl: string;
  readonly allowPlainHttp: boolean;
  /** Set: the public listener serves HTTPS only (absolute paths of the PEM files). */
  readonly tls?: {
    readonly certFile: string;
    readonly keyFile: string;
    /** Set: client certificates chaining to these CAs are asked for (optional mutual TLS). */
    readonly clientCaFile?: string;
  };
  readonly network: {
    /** Whose X-Forwarded-For is believed; empty: the connection's address is the client's. */
    readonly trustedProxies: readonly AddressRange[];
    /** The Party wide-area network zone; empty: no client is in it. */
    readonly wanCidrs: readonly AddressRange[];
  };
  /** Absolute. */
  readonly dataDir: string;
  /** Absolute, when set. */
  readonly declarativeConfig?: string;
  readonly databaseUrl?: string;
  readonly registry: {
    /** Absolute, when set: the PEM bundle consumer certificates must chain to. */
    readonly trustAnchorsFile?: string;
    readonly registrationsPerHour: number;
    /** YYYY-MM-DD, Vietnam calendar. */
    readonly holidays: readonly string[];
  };
  /** Set explicitly, or generated into the data dir on the embedded default (resolveSecretPepper). */
  readonly secretPepper?: string;
  /** Set explicitly, or generated into the data dir on the embedded default (resolveKeyEncryptionKey). */
  readonly keyEncryptionKey?: string;
  /** Unset: IAM runs in the same process as the gateway. */
  readonly iamUrl?: string;
  readonly tokens: {
    readonly ttlSeconds: number;
    readonly signingKeyRotationDays: number;
    readonly jwksRefreshSeconds: number;
    readonly secretRotationOverlapHours: number;
    readonly authFailureLimit: number;
  };
  readonly throttling: {
    /** Unset: in-process counters. */
    readonly redisUrl?: string;
    readonly redisTimeoutMs: number;
    readonly replicas: number;
    readonly readPerMinute: number;
    readonly writePerMinute: number;
  };
  readonly logLevel: EnvironmentVariables['LGSP_LOG_LEVEL'];
  readonly otlpEndpoint?: string;
  readonly traceSampleRatio: number;
  readonly upstream: {
    readonly connectTimeoutMs: number;
    readonly readTimeoutMs: number;
    readonly writeTimeoutMs: number;
    readonly circuitFailureThreshold: number;
    readonly circuitOpenMs: number;
    /** Absolute, when set: the backend JWT's signing key; unset: generated into the data dir. */
    readonly backendJwtKeyFile?: string;
  };
  readonly maxBodyBytes: number;
  /** X-Signature on requests and responses (docs/signatures.md). */
  readonly signatures: {
    readonly requireSignedWrites: boolean;
    readonly signAllResponses: boolean;
    /** Absolute, when set: the platform's response-signing key and its certificate; unset: generated into the data dir. */
    readonly signingKeyFile?: string;
    readonly signingCertFile?: string;
    /** An absolute file path or an http(s) URL, when set. */
    readonly crl?: string;
    readonly crlRefreshSeconds: number;
  };
  /** The data plane's flood shield, ahead of token verification. */
  readonly guard: {
    /** 0: no per-IP limit. */
    readonly perIpPerSecond: number;
    readonly maxInFlight: number;
  };
  /** Limits of the public listener's connections (slow clients, oversized heads, connection floods). */
  readonly listener: {
    readonly maxHeaderBytes: number;
    readonly maxConnections: number;
    /** The whole request (head and body). */
    readonly clientTimeoutMs: number;
    /** The request head; also the TLS handshake. */
    readonly headersTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
  };
  /** LGSP_ACCESS_LOG: which transactions the gateway also logs as an access line. */
  readonly accessLog: 'all' | 'errors' | 'off';
  readonly ledger: {
    readonly flushIntervalMs: number;
    readonly segmentBytes: number;
    /** Where records are handed: segment files or the shared PostgreSQL table. */
    readonly outbox: 'files' | 'postgres';
    /** Extra segment directories the ledger service ships (absolute). */
    readonly outboxDirs: readonly string[];
    readonly dataStream: string;
    readonly retentionDays: number;
    readonly headIntervalSeconds: number;
    readonly elasticsearch?: {
      readonly nodes: readonly string[];
      readonly apiKey?: string;
      readonly username?: string;
      readonly password?: string;
      /** Absolute path of a PEM CA file. */
      readonly caFile?: string;
    };
    readonly syslog?: {
      readonly url: string;
      /** Absolute path of a PEM CA file. */
      readonly caFile?: string;
    };
  };
  readonly demoProviderPort: number;
  /** Milliseconds requests in flight may take to finish after a stop signal (LGSP_SHUTDOWN_GRACE_MS). */
  readonly shutdownGraceMs: number;
  /** Unknown LGSP_* variables (most likely typos), reported at start-up. */
  readonly warnings: readonly string[];
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}

function flatten(errors: readonly ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => [
    ...Object.values(e.constraints ?? {}).map((message) => `${prefix}${e.property}: ${message.replace(`${e.property} `, '')}`),
    ...flatten(e.children ?? [], `${prefix}${e.property}.`),
  ]);
}

/**
 * Reads and validates the environment. The one place in LGSP that reads process.env: a bad value
 * throws a ConfigError naming every offending variable (never echoing a sensitive value).
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env, cwd = process.cwd()): LgspConfig {
  const known = new Set(configVariablesOf(EnvironmentVariables).map((v) => v.name));
  const present: Record<string, string> = {};
  for (const name of known) {
    const value = env[name];
    if (value !== undefined && value !== '') present[name] = value;
  }
  const vars = plainToInstance(EnvironmentVariables, present, { exposeDefaultValues: true });
  const problems = flatten(validateSync(vars, { forbidUnknownValues: true, stopAtFirstError: true }));

  const allowPlainHttp = vars.LGSP_ALLOW_PLAIN_HTTP ?? isLoopbackHost(vars.LGSP_HOST);
  const tlsOn = vars.LGSP_TLS_CERT !== undefined && vars.LGSP_TLS_KEY !== undefined;
  if (problems.length === 0 && vars.LGSP_TLS_CLIENT_CA !== undefined && !tlsOn) {
    problems.push('LGSP_TLS_CLIENT_CA: client certificates are asked for in the TLS handshake; set LGSP_TLS_CERT and LGSP_TLS_KEY too');
  }
  if (problems.length === 0 && vars.LGSP_CLIENT_HEADERS_TIMEOUT_MS > vars.LGSP_CLIENT_TIMEOUT_MS) {
    problems.push(`LGSP_CLIENT_HEADERS_TIMEOUT_MS: must not exceed LGSP_CLIENT_TIMEOUT_MS (${vars.LGSP_CLIENT_TIMEOUT_MS}), the time for the whole request`);
  }
  if (problems.length === 0 && vars.LGSP_LEDGER_OUTBOX === 'postgres' && vars.DATABASE_URL === undefined) {
    problems.push('LGSP_LEDGER_OUTBOX: postgres hands records to the ledger_outbox table of DATABASE_URL; set DATABASE_URL');
  }
  // With a certificate the listener serves HTTPS only, wherever it binds.
  if (problems.length === 0 && !tlsOn && !allowPlainHttp) {
    problems.push(
      `LGSP_ALLOW_PLAIN_HTTP: the public listener binds ${vars.LGSP_HOST}, which is not loopback, and would serve plain HTTP; ` +
        'set LGSP_ALLOW_PLAIN_HTTP=true only behind a TLS-terminating load balancer',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const warnings = Object.keys(env)
    .filter((name) => name.startsWith('LGSP_') && !known.has(name) && !name.startsWith('LGSP_TEST_'))
    .map((name) => `${name}: unknown variable, ignored (a typo?)`);
  const trustedProxies = parseAddressList(vars.LGSP_TRUSTED_PROXIES ?? '').ranges;
  if (vars.LGSP_ALLOW_PLAIN_HTTP === true && !tlsOn && !isLoopbackHost(vars.LGSP_HOST) && trustedProxies.length === 0) {
    warnings.push(
      'LGSP_TRUSTED_PROXIES: unset behind a TLS-terminating load balancer, every client appears as the balancer (one per-IP limit for all, no Party-WAN zone, its address in the ledger)',
    );
  }

  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(cwd, p));
  const publicUrl = (vars.LGSP_PUBLIC_URL ?? `${tlsOn ? 'https' : 'http'}://${vars.LGSP_HOST.includes(':') ? `[${vars.LGSP_HOST}]` : vars.LGSP_HOST}:${vars.LGSP_PORT}`).replace(/\/+$/, '');

  return {
    port: vars.LGSP_PORT,
    adminPort: vars.LGSP_ADMIN_PORT,
    host: vars.LGSP_HOST,
    adminHost: vars.LGSP_ADMIN_HOST,
    publicUrl,
    allowPlainHttp,
    tls:
      vars.LGSP_TLS_CERT === undefined || vars.LGSP_TLS_KEY === undefined
        ? undefined
        : {
            certFile: abs(vars.LGSP_TLS_CERT),
            keyFile: abs(vars.LGSP_TLS_KEY),
            clientCaFile: vars.LGSP_TLS_CLIENT_CA === undefined ? undefined : abs(vars.LGSP_TLS_CLIENT_CA),
          },
    network: { trustedProxies, wanCidrs: parseAddressList(vars.LGSP_WAN_CIDRS ?? '').ranges },
    dataDir: abs(vars.LGSP_DATA_DIR),
    declarativeConfig: vars.LGSP_DECLARATIVE_CONFIG === undefined ? undefined : abs(vars.LGSP_DECLARATIVE_CONFIG),
    databaseUrl: vars.DATABASE_URL,
    registry: {
      trustAnchorsFile: vars.LGSP_TRUST_ANCHORS === undefined ? undefined : abs(vars.LGSP_TRUST_ANCHORS),
      registrationsPerHour: vars.LGSP_REGISTRATIONS_PER_HOUR,
      holidays: vars.LGSP_HOLIDAYS === undefined ? [] : vars.LGSP_HOLIDAYS.split(','),
    },
    secretPepper: vars.LGSP_SECRET_PEPPER,
    keyEncryptionKey: vars.LGSP_KEY_ENCRYPTION_KEY,
    iamUrl: vars.LGSP_IAM_URL?.replace(/\/+$/, ''),
    tokens: {
      ttlSeconds: vars.LGSP_TOKEN_TTL_SECONDS,
      signingKeyRotationDays: vars.LGSP_SIGNING_KEY_ROTATION_DAYS,
      jwksRefreshSeconds: vars.LGSP_JWKS_REFRESH_SECONDS,
      secretRotationOverlapHours: vars.LGSP_SECRET_ROTATION_OVERLAP_HOURS,
      authFailureLimit: vars.LGSP_AUTH_FAILURE_LIMIT,
    },
    throttling: {
      redisUrl: vars.REDIS_URL,
      redisTimeoutMs: vars.LGSP_REDIS_TIMEOUT_MS,
      replicas: vars.LGSP_GATEWAY_REPLICAS,
      readPerMinute: vars.LGSP_READ_LIMIT_PER_MINUTE,
      writePerMinute: vars.LGSP_WRITE_LIMIT_PER_MINUTE,
    },
    logLevel: vars.LGSP_LOG_LEVEL,
    otlpEndpoint: vars.OTEL_EXPORTER_OTLP_ENDPOINT,
    traceSampleRatio: vars.OTEL_TRACES_SAMPLER_ARG,
    upstream: {
      connectTimeoutMs: vars.LGSP_UPSTREAM_CONNECT_TIMEOUT_MS,
      readTimeoutMs: vars.LGSP_UPSTREAM_READ_TIMEOUT_MS,
      writeTimeoutMs: vars.LGSP_UPSTREAM_WRITE_TIMEOUT_MS,
      circuitFailureThreshold: vars.LGSP_CIRCUIT_FAILURE_THRESHOLD,
      circuitOpenMs: vars.LGSP_CIRCUIT_OPEN_MS,
      backendJwtKeyFile: vars.LGSP_BACKEND_JWT_KEY === undefined ? undefined : abs(vars.LGSP_BACKEND_JWT_KEY),
    },
    maxBodyBytes: vars.LGSP_MAX_BODY_BYTES,
    signatures: {
      requireSignedWrites: vars.LGSP_REQUIRE_SIGNED_WRITES,
      signAllResponses: vars.LGSP_SIGN_ALL_RESPONSES,
      signingKeyFile: vars.LGSP_SIGNING_KEY === undefined ? undefined : abs(vars.LGSP_SIGNING_KEY),
      signingCertFile: vars.LGSP_SIGNING_CERT === undefined ? undefined : abs(vars.LGSP_SIGNING_CERT),
      crl: vars.LGSP_CRL === undefined ? undefined : /^https?:\/\//i.test(vars.LGSP_CRL) ? vars.LGSP_CRL : abs(vars.LGSP_CRL),
      crlRefreshSeconds: vars.LGSP_CRL_REFRESH_SECONDS,
    },
    guard: { perIpPerSecond: vars.LGSP_GUARD_PER_IP_PER_SECOND, maxInFlight: vars.LGSP_GUARD_MAX_IN_FLIGHT },
    listener: {
      maxHeaderBytes: vars.LGSP_MAX_HEADER_BYTES,
      maxConnections: vars.LGSP_MAX_CONNECTIONS,
      clientTimeoutMs: vars.LGSP_CLIENT_TIMEOUT_MS,
      headersTimeoutMs: vars.LGSP_CLIENT_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: vars.LGSP_KEEP_ALIVE_TIMEOUT_MS,
    },
    accessLog: vars.LGSP_ACCESS_LOG,
    ledger: {
      flushIntervalMs: vars.LGSP_LEDGER_FLUSH_INTERVAL_MS,
      segmentBytes: vars.LGSP_LEDGER_SEGMENT_BYTES,
      outbox: vars.LGSP_LEDGER_OUTBOX,
      outboxDirs: (vars.LGSP_LEDGER_OUTBOX_DIRS ?? '').split(',').map((dir) => dir.trim()).filter((dir) => dir !== '').map(abs),
      dataStream: vars.LGSP_LEDGER_DATA_STREAM,
      retentionDays: vars.LGSP_LEDGER_RETENTION_DAYS,
      headIntervalSeconds: vars.LGSP_LEDGER_HEAD_INTERVAL_SECONDS,
      elasticsearch:
        vars.ELASTICSEARCH_URL === undefined
          ? undefined
          : {
              nodes: vars.ELASTICSEARCH_URL.split(',').map((url) => url.trim()),
              apiKey: vars.ELASTICSEARCH_API_KEY,
              username: vars.ELASTICSEARCH_USERNAME,
              password: vars.ELASTICSEARCH_PASSWORD,
              caFile: vars.ELASTICSEARCH_CA === undefined ? undefined : abs(vars.ELASTICSEARCH_CA),
            },
      syslog: vars.LGSP_SYSLOG_URL === undefined ? undefined : { url: vars.LGSP_SYSLOG_URL, caFile: vars.LGSP_SYSLOG_CA === undefined ? undefined : abs(vars.LGSP_SYSLOG_CA) },
    },
    demoProviderPort: vars.LGSP_DEMO_PROVIDER_PORT,
    shutdownGraceMs: vars.LGSP_SHUTDOWN_GRACE_MS,
    warnings,
  };
}

/** A config for tests and tools: the defaults, overridden by the given variables only. */
export function configFrom(vars: Readonly<Record<string, string>>, cwd?: string): LgspConfig {
  return loadConfig(vars, cwd);
}

/** For a process's first lines: the config, or the ConfigError's message on stderr and exit 1. */
export function loadConfigOrExit(): LgspConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
