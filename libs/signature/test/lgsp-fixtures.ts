// Consumer signing certificates for the profile specs (regenerate with fixtures/generate.sh).
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { RegisteredCertificate } from '../src';

export interface TestConsumer {
  readonly consumerId: string;
  readonly keyid: string;
  readonly privateKey: KeyObject;
  readonly registered: RegisteredCertificate;
}

function fixture(name: string): string {
  return readFileSync(join(__dirname, 'fixtures', name), 'utf8');
}

export function testConsumer(name: 'consumer-rsa' | 'consumer-ec' | 'consumer-ed25519' | 'other-consumer-ec', consumerId = 'tu-ha-noi.qlcb'): TestConsumer {
  const certificate = new X509Certificate(fixture(`${name}.pem`));
  return {
    consumerId,
    keyid: `${name}-2026`,
    privateKey: createPrivateKey(fixture(`${name}.key.pem`)),
    registered: { consumerId, certificate, status: 'active' },
  };
}

/** A day into the validity of every fixture certificate. */
export const FIXTURE_NOW = new Date(Date.parse(new X509Certificate(fixture('consumer-ec.pem')).validFrom) + 86_400_000);
