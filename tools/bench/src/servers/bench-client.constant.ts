import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The benchmark's consumer credential (a throw-away registry in a temporary directory). */
export const BENCH_CLIENT_ID = 'bench-consumer';
export const BENCH_CLIENT_SECRET = 'bench-secret-bench-secret-bench-secret-0001';

/** The benchmark consumer's signing certificate: the registry's test PKI leaf (EC P-256), its id the RFC 9421 keyid. */
export const BENCH_CERTIFICATE_ID = 'bench-consumer-ec';
const PKI = resolve(__dirname, '../../../../libs/registry/test/fixtures/pki');
export const BENCH_CERTIFICATE_FILE = resolve(PKI, 'leaf-ec.pem');
export const BENCH_SIGNING_KEY_FILE = resolve(PKI, 'leaf-ec.key.pem');

export function benchCertificatePem(): string {
  return readFileSync(BENCH_CERTIFICATE_FILE, 'utf8');
}

/**
 * The gateway's LGSP_PUBLIC_URL in the benchmark: signatures cover `@target-uri` as the consumer
 * addressed it, which the gateway rebuilds from this origin (as behind a load balancer), not from
 * the ephemeral 127.0.0.1 port the load actually goes to.
 */
export const BENCH_PUBLIC_URL = 'https://gateway.lgsp.bench';

/** The API every LGSP scenario calls: one read with a validated query, one write with a validated JSON body. */
export const BENCH_READ_PATH = '/v1/bench/organisations?page=1&pageSize=2';
export const BENCH_WRITE_PATH = '/v1/bench/organisations';
export const BENCH_WRITE_BODY = JSON.stringify({ name: 'Thành uỷ Hà Nội', code: 'TU-HN', address: '2 Lê Lai, Hoàn Kiếm, Hà Nội' });
