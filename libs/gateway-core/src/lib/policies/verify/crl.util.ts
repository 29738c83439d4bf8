import type { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import type { Logger } from '@lgsp/observability';
import { request } from 'undici';

export class CrlError extends Error {
  override readonly name = 'CrlError';
}

interface Tlv {
  readonly tag: number;
  /** Offset of the content. */
  readonly start: number;
  /** Offset after the content. */
  readonly end: number;
}

function tlvAt(der: Uint8Array, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new CrlError('truncated DER');
  const tag = der[offset];
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new CrlError('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new CrlError('truncated DER');
  return { tag, start, end };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const list: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = tlvAt(der, offset, parent.end);
    list.push(child);
    offset = child.end;
  }
  return list;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

/** A serial number as compared here: lower-case hex without leading zeros. */
export function normalizeSerial(hex: string): string {
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}

/** The DER of a CRL given as DER or PEM (`-----BEGIN X509 CRL-----`). */
export function crlDerOf(content: Buffer): Buffer {
  const text = content.toString('latin1');
  const pem = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/.exec(text);
  return pem === null ? content : Buffer.from(pem[1].replace(/\s+/g, ''), 'base64');
}

/**
 * The serial numbers a CRL (RFC 5280 §5.1) revokes: a minimal DER walk of TBSCertList to
 * revokedCertificates — Node has no CRL parser. The CRL's signature is not checked here: the file is
 * the operator's, as LGSP_TRUST_ANCHORS is.
 */
export function revokedSerials(der: Uint8Array): Set<string> {
  const list = tlvAt(der, 0, der.length);
  if (list.tag !== SEQUENCE) throw new CrlError('not a DER CertificateList');
  const [tbs] = children(der, list);
  if (tbs?.tag !== SEQUENCE) throw new CrlError('no TBSCertList');
  const fields = children(der, tbs);
  let i = 0;
  if (fields[i]?.tag === INTEGER) i++; // version
  i += 2; // signature algorithm, issuer
  if (fields[i]?.tag !== UTC_TIME && fields[i]?.tag !== GENERALIZED_TIME) throw new CrlError('no thisUpdate');
  i++;
  if (fields[i]?.tag === UTC_TIME || fields[i]?.tag === GENERALIZED_TIME) i++; // nextUpdate
  const serials = new Set<string>();
  const revoked = fields[i];
  if (revoked?.tag !== SEQUENCE) return serials;
  for (const entry of children(der, revoked)) {
    const [serial] = children(der, entry);
    if (serial?.tag !== INTEGER) throw new CrlError('a revoked entry has no serial number');
    serials.add(normalizeSerial(Buffer.from(der.subarray(serial.start, serial.end)).toString('hex')));
  }
  return serials;
}

/** How long one fetch of an http(s) LGSP_CRL may take, connection to last byte. */
export const CRL_FETCH_TIMEOUT_MS = 10_000;

function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/**
 * LGSP_CRL — a file, or an http(s) URL fetched with undici within a timeout — read at start-up and
 * again every LGSP_CRL_REFRESH_SECONDS (asynchronously). A refresh that fails (unreadable, HTTP error,
 * timeout, not a CRL) keeps the last good list and is logged once, until one succeeds again; at
 * start-up it is an error.
 */
export class CertificateRevocationList {
  private serials: ReadonlySet<string> = new Set();
  private timer?: NodeJS.Timeout;
  private failing = false;
  private readonly url: boolean;

  constructor(
    private readonly source: string,
    private readonly refreshSeconds: number,
    private readonly logger?: Logger,
    private readonly fetchTimeoutMs: number = CRL_FETCH_TIMEOUT_MS,
  ) {
    this.url = isUrl(source);
  }

  readonly isRevoked = (certificate: X509Certificate): boolean => this.serials.has(normalizeSerial(certificate.serialNumber));

  get size(): number {
    return this.serials.size;
  }

  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.refresh(), this.refreshSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One scheduled refresh: never rejects; the first failure of a run of them is logged. */
  async refresh(): Promise<void> {
    try {
      await this.reload();
      if (this.failing) this.logger?.info({ event: { action: 'crl-reload-recovered' }, crl: { source: this.where() } }, 'LGSP_CRL read again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) {
        this.logger?.error({ err: error, event: { action: 'crl-reload-failed' }, crl: { source: this.where() } }, 'LGSP_CRL cannot be read; keeping the last list');
      }
      this.failing = true;
    }
  }

  async reload(): Promise<void> {
    const content = this.url ? await this.fetch() : await readFile(this.source);
    try {
      this.serials = revokedSerials(crlDerOf(content));
    } catch (error) {
      throw new CrlError(`LGSP_CRL: ${this.where()} is not a certificate revocation list (${(error as Error).message})`);
    }
  }

  /** The source as logged: a URL without its query string or credentials. */
  private where(): string {
    if (!this.url) return this.source;
    const url = new URL(this.source);
    return url.origin + url.pathname;
  }

  private async fetch(): Promise<Buffer> {
    const signal = AbortSignal.timeout(this.fetchTimeoutMs);
    try {
      const response = await request(this.source, { signal, headersTimeout: this.fetchTimeoutMs, bodyTimeout: this.fetchTimeoutMs });
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new CrlError(`LGSP_CRL: ${this.where()} answered ${response.statusCode}`);
      }
      return Buffer.from(await response.body.arrayBuffer());
    } catch (error) {
      if (error instanceof CrlError) throw error;
      throw new CrlError(`LGSP_CRL: ${this.where()} cannot be fetched (${signal.aborted ? `no answer within ${this.fetchTimeoutMs} ms` : (error as Error).message})`);
    }
  }
}
