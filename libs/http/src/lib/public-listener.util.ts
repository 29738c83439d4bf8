import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';

import { ConfigError, blockListOf } from '@lgsp/config';
import type { LgspConfig } from '@lgsp/config';

import type { HttpAppOptions, ListenerTls } from './http-app.factory';

async function pemOf(variable: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new ConfigError([`${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** Why a PEM bundle is not one of CA certificates (Node would silently skip what it cannot read), or undefined. */
function caBundleProblem(pem: string): string | undefined {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) return 'no certificate in it';
  for (const block of blocks) {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block);
    } catch (error) {
      return (error as Error).message;
    }
    if (!certificate.ca) return `${certificate.subject.replaceAll('\n', ', ')} is not a CA certificate`;
  }
  return undefined;
}

/** The PEM files of LGSP_TLS_*, read and checked together (a key that is not the certificate's stops start-up). */
async function tlsOf(tls: NonNullable<LgspConfig['tls']>): Promise<ListenerTls> {
  const [cert, key, clientCa] = await Promise.all([
    pemOf('LGSP_TLS_CERT', tls.certFile),
    pemOf('LGSP_TLS_KEY', tls.keyFile),
    tls.clientCaFile === undefined ? undefined : pemOf('LGSP_TLS_CLIENT_CA', tls.clientCaFile),
  ]);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new ConfigError([`LGSP_TLS_KEY: ${tls.keyFile} and LGSP_TLS_CERT ${tls.certFile} are not a usable certificate and private key (${(error as Error).message})`]);
  }
  if (clientCa !== undefined) {
    const problem = caBundleProblem(clientCa.toString('latin1'));
    if (problem !== undefined) throw new ConfigError([`LGSP_TLS_CLIENT_CA: ${tls.clientCaFile} is not a PEM bundle of CA certificates (${problem})`]);
  }
  return { cert, key, ...(clientCa !== undefined && { clientCa }) };
}

/**
 * What the public listener (the gateway's, or IAM's when it runs alone) is built with from the
 * configuration: its connection limits, TLS when LGSP_TLS_CERT/KEY are set, and the trusted proxies
 * through which request.ip is the client's address rather than the load balancer's.
 */
export async function publicListenerOptions(config: LgspConfig): Promise<Pick<HttpAppOptions, 'limits' | 'tls' | 'trustProxy'>> {
  const { listener } = config;
  const proxies = config.network.trustedProxies.length === 0 ? undefined : blockListOf(config.network.trustedProxies);
  return {
    limits: {
      maxHeaderBytes: listener.maxHeaderBytes,
      maxConnections: listener.maxConnections,
      requestTimeoutMs: listener.clientTimeoutMs,
      headersTimeoutMs: listener.headersTimeoutMs,
      keepAliveTimeoutMs: listener.keepAliveTimeoutMs,
    },
    ...(config.tls !== undefined && { tls: await tlsOf(config.tls) }),
    ...(proxies !== undefined && { trustProxy: (address: string) => proxies.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4') }),
  };
}

/**
 * The admin listener's options: the same connection limits and trusted proxies (a registration's
 * per-address limit must count the unit's address, not the load balancer's), without the public TLS.
 */
export async function adminListenerOptions(config: LgspConfig): Promise<Pick<HttpAppOptions, 'limits' | 'trustProxy'>> {
  const { limits, trustProxy } = await publicListenerOptions({ ...config, tls: undefined });
  return { limits, ...(trustProxy !== undefined && { trustProxy }) };
}
