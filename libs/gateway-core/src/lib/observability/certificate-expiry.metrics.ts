import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import type { LgspConfig } from '@lgsp/config';
import type { SnapshotCertificate } from '@lgsp/data';
import type { Logger } from '@lgsp/observability';
import { Gauge } from 'prom-client';
import type { Metric, Registry } from 'prom-client';
import { request } from 'undici';

import { CRL_FETCH_TIMEOUT_MS, crlDerOf } from '../policies/verify/crl.util';

/** What a certificate is to the platform: a consumer's signing certificate, a CA it must chain to, or the platform's own. */
export type CertificateKind = 'consumer' | 'trust-anchor' | 'platform';

/** The registry snapshots the gateway installs (RegistryState.onTable), for the consumers' certificates. */
export interface CertificateSnapshots {
  onTable(listener: (table: unknown, view: { readonly certificates?: readonly SnapshotCertificate[] }) => void): void;
}

export interface CertificateExpirySources {
  readonly snapshots: CertificateSnapshots;
  /** LGSP_TRUST_ANCHORS: a PEM bundle, one series per CA (id: its SHA-256 fingerprint). */
  readonly trustAnchorsFile?: string;
  /** LGSP_SIGNING_CERT: id `signing`. */
  readonly signingCertFile?: string;
  /** LGSP_TLS_CERT, the public listener's chain: the leaf only, id `tls`. */
  readonly tlsCertFile?: string;
  /** LGSP_CRL: a file path or an http(s) URL. */
  readonly crl?: string;
  /** How long what was read from a file or the CRL's URL is kept before a scrape reads it again. */
  readonly refreshSeconds: number;
  readonly logger?: Logger;
  readonly fetchTimeoutMs?: number;
}

export interface CertificateExpiryMetrics {
  /** notAfter of every certificate the gateway relies on, in Unix seconds, by kind and id. */
  readonly expiry: Gauge<'kind' | 'id'>;
  /** nextUpdate of LGSP_CRL, in Unix seconds; 0 until read, and without a CRL or one without nextUpdate. */
  readonly crlNextUpdate: Gauge;
  readonly all: readonly Metric[];
}

/** The sources as the gateway's configuration names them. */
export function certificateExpirySourcesOf(config: LgspConfig, snapshots: CertificateSnapshots, logger?: Logger): CertificateExpirySources {
  return {
    snapshots,
    trustAnchorsFile: config.registry.trustAnchorsFile,
    signingCertFile: config.signatures.signingCertFile,
    tlsCertFile: config.tls?.certFile,
    crl: config.signatures.crl,
    refreshSeconds: config.signatures.crlRefreshSeconds,
    logger,
  };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function secondsOf(date: string): number {
  return Math.floor(Date.parse(date) / 1000);
}

/** Each certificate of a PEM bundle with its notAfter; one that cannot be parsed is an error for the whole file. */
export function certificatesOfPem(pem: string): { fingerprint: string; notAfter: number }[] {
  return (pem.match(PEM_CERTIFICATE) ?? []).map((block) => {
    const certificate = new X509Certificate(block);
    return { fingerprint: certificate.fingerprint256.replaceAll(':', '').toLowerCase(), notAfter: secondsOf(certificate.validTo) };
  });
}

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

function tlvAt(der: Uint8Array, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new Error('truncated DER');
  const tag = der[offset];
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    start += count;
  }
  if (start + length > limit) throw new Error('truncated DER');
  return { tag, start, end: start + length };
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

/** RFC 5280 §4.1.2.5: UTCTime YYMMDDHHMMSSZ (YY < 50: 20YY), GeneralizedTime YYYYMMDDHHMMSSZ. */
function derTimeSeconds(der: Uint8Array, tlv: Tlv): number {
  const text = Buffer.from(der.subarray(tlv.start, tlv.end)).toString('latin1');
  const match = tlv.tag === UTC_TIME ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (match === null) throw new Error(`unsupported time ${text}`);
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const year = tlv.tag === UTC_TIME ? (y < 50 ? 2000 + y : 1900 + y) : y;
  return Date.UTC(year, mo - 1, d, h, mi, s) / 1000;
}

/** nextUpdate of a DER CRL (TBSCertList: version?, signature, issuer, thisUpdate, nextUpdate?), in Unix seconds. */
export function crlNextUpdateSeconds(der: Uint8Array): number | undefined {
  const list = tlvAt(der, 0, der.length);
  if (list.tag !== SEQUENCE) throw new Error('not a DER CertificateList');
  const tbs = tlvAt(der, list.start, list.end);
  if (tbs.tag !== SEQUENCE) throw new Error('no TBSCertList');
  const fields: Tlv[] = [];
  for (let offset = tbs.start; offset < tbs.end && fields.length < 6; ) {
    const field = tlvAt(der, offset, tbs.end);
    fields.push(field);
    offset = field.end;
  }
  const first = fields[0]?.tag === INTEGER ? 1 : 0;
  const thisUpdate = fields[first + 2];
  if (thisUpdate?.tag !== UTC_TIME && thisUpdate?.tag !== GENERALIZED_TIME) throw new Error('no thisUpdate');
  const next = fields[first + 3];
  return next?.tag === UTC_TIME || next?.tag === GENERALIZED_TIME ? derTimeSeconds(der, next) : undefined;
}

/** A value read from a file or URL, read again once older than the refresh; a failed read keeps the last value. */
class Refreshed<T> {
  private value?: T;
  private readAt = -Infinity;
  private inFlight?: Promise<void>;
  private failing = false;

  constructor(
    private readonly what: string,
    private readonly read: () => Promise<T>,
    private readonly refreshMs: number,
    private readonly logger?: Logger,
  ) {}

  /** The value, read first when stale; `wait: false` starts the read without waiting for it (a URL must not stall a scrape). */
  async current(wait: boolean): Promise<T | undefined> {
    if (Date.now() - this.readAt >= this.refreshMs && this.inFlight === undefined) {
      this.inFlight = this.reload().finally(() => (this.inFlight = undefined));
    }
    if (wait && this.inFlight !== undefined) await this.inFlight;
    return this.value;
  }

  private async reload(): Promise<void> {
    try {
      this.value = await this.read();
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger?.warn({ err: error, event: { action: 'certificate-expiry-read-failed' }, lgsp: { source: this.what } }, `${this.what} cannot be read for the expiry metrics; keeping the last value`);
      this.failing = true;
    } finally {
      this.readAt = Date.now();
    }
  }
}

async function fetchCrl(url: string, timeoutMs: number): Promise<Buffer> {
  const signal = AbortSignal.timeout(timeoutMs);
  const response = await request(url, { signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new Error(`the CRL URL answered ${response.statusCode}`);
  }
  return Buffer.from(await response.body.arrayBuffer());
}

/**
 * The expiry of every certificate the gateway relies on and the next update of its CRL, read when
 * /metrics is scraped, never on the request path: the consumers' certificates from each registry
 * snapshot installed (their notAfter is in the snapshot), the trust anchors, the platform's signing
 * and TLS certificates and LGSP_CRL from their files (or the CRL's URL, fetched in the background so
 * a slow server never stalls a scrape), read again after `refreshSeconds`.
 */
export function createCertificateExpiryMetrics(sources: CertificateExpirySources, registers: Registry[] = []): CertificateExpiryMetrics {
  const refreshMs = sources.refreshSeconds * 1000;
  let consumers: ReadonlyMap<string, number> = new Map();
  sources.snapshots.onTable((_table, view) => {
    const next = new Map<string, number>();
    for (const certificate of view.certificates ?? []) {
      if (certificate.status !== 'revoked') next.set(certificate.id, secondsOf(certificate.notAfter));
    }
    consumers = next;
  });
  const pemFile = (what: string, file: string) => new Refreshed(what, async () => certificatesOfPem(await readFile(file, 'utf8')), refreshMs, sources.logger);
  const files: { kind: CertificateKind; id?: string; leafOnly?: boolean; source: Refreshed<{ fingerprint: string; notAfter: number }[]> }[] = [];
  if (sources.trustAnchorsFile !== undefined) files.push({ kind: 'trust-anchor', source: pemFile('LGSP_TRUST_ANCHORS', sources.trustAnchorsFile) });
  if (sources.signingCertFile !== undefined) files.push({ kind: 'platform', id: 'signing', leafOnly: true, source: pemFile('LGSP_SIGNING_CERT', sources.signingCertFile) });
  if (sources.tlsCertFile !== undefined) files.push({ kind: 'platform', id: 'tls', leafOnly: true, source: pemFile('LGSP_TLS_CERT', sources.tlsCertFile) });
  const crlSource = sources.crl;
  const crlIsUrl = crlSource !== undefined && /^https?:\/\//i.test(crlSource);
  const crl =
    crlSource === undefined
      ? undefined
      : new Refreshed(
          'LGSP_CRL',
          async () => crlNextUpdateSeconds(crlDerOf(crlIsUrl ? await fetchCrl(crlSource, sources.fetchTimeoutMs ?? CRL_FETCH_TIMEOUT_MS) : await readFile(crlSource))),
          refreshMs,
          sources.logger,
        );

  const expiry = new Gauge<'kind' | 'id'>({
    name: 'lgsp_certificate_expiry_timestamp_seconds',
    help: 'notAfter of the certificates the gateway relies on, in Unix seconds: consumer signing certificates (id: keyid), trust anchors (id: SHA-256 fingerprint) and the platform (id: signing, tls)',
    labelNames: ['kind', 'id'],
    registers,
    async collect() {
      const read = await Promise.all(files.map((file) => file.source.current(true)));
      this.reset();
      for (const [id, notAfter] of consumers) this.set({ kind: 'consumer', id }, notAfter);
      files.forEach((file, i) => {
        const certificates = file.leafOnly ? read[i]?.slice(0, 1) : read[i];
        for (const certificate of certificates ?? []) this.set({ kind: file.kind, id: file.id ?? certificate.fingerprint }, certificate.notAfter);
      });
    },
  });
  const crlNextUpdate = new Gauge({
    name: 'lgsp_crl_next_update_timestamp_seconds',
    help: 'nextUpdate of the certificate revocation list LGSP_CRL, in Unix seconds (0: no CRL, not read yet, or none announced): past it, the list the gateway checks against is stale',
    registers,
    async collect() {
      const next = await crl?.current(!crlIsUrl);
      this.set(next ?? 0);
    },
  });
  return { expiry, crlNextUpdate, all: [expiry, crlNextUpdate] };
}
