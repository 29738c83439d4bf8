import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { loadConfigOrExit } from '@lgsp/config';
import type { LgspConfig } from '@lgsp/config';
import { formatLedgerVerification, verifyLedger } from '@lgsp/ledger';
import { GENERATED_SIGNING_KEY_FILE, loadPlatformSigningKey } from '@lgsp/signature';
import type { JSONWebKeySet } from 'jose';

import type { CliCommand } from '../cli-command.type';
import { ExitCode } from '../cli-command.type';
import { CliFailure, CliUsageError } from '../cli.error';
import { openLedgerStore } from './ledger-store.util';

function dateOption(values: Readonly<Record<string, string | boolean | undefined>>, name: string): Date {
  const value = values[name];
  if (typeof value !== 'string') throw new CliUsageError(`--${name} <ISO date> is required`);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new CliUsageError(`--${name} is not an ISO-8601 date: '${value}'`);
  return date;
}

function isKeySet(value: unknown): value is JSONWebKeySet {
  return typeof value === 'object' && value !== null && Array.isArray((value as JSONWebKeySet).keys);
}

/** --keys (a JWKS file or URL), else the platform signing key this installation signs with. */
export async function platformKeys(config: LgspConfig, keys: string | undefined): Promise<JSONWebKeySet> {
  if (keys !== undefined) {
    let text: string;
    try {
      if (/^https?:\/\//.test(keys)) {
        const response = await fetch(keys);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        text = await response.text();
      } else {
        text = await readFile(keys, 'utf8');
      }
    } catch (error) {
      throw new CliFailure(`--keys: ${keys} cannot be read (${(error as Error).message})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CliFailure(`--keys: ${keys} is not JSON`);
    }
    if (!isKeySet(parsed)) throw new CliFailure(`--keys: ${keys} is not a JWK set ({"keys": [...]})`);
    return parsed;
  }
  const { signingKeyFile, signingCertFile } = config.signatures;
  if (signingKeyFile === undefined) {
    // Never generate a key here: heads signed by another key would all look forged.
    try {
      await access(join(config.dataDir, GENERATED_SIGNING_KEY_FILE));
    } catch {
      throw new CliFailure(`no platform signing key: LGSP_SIGNING_KEY is unset and ${join(config.dataDir, GENERATED_SIGNING_KEY_FILE)} does not exist; pass --keys <JWKS file or URL>`);
    }
  }
  const key = await loadPlatformSigningKey({ keyFile: signingKeyFile, certFile: signingCertFile, dataDir: config.dataDir });
  return key.jwks;
}

export const ledgerVerifyCommand: CliCommand = {
  path: ['ledger', 'verify'],
  summary: "Check the ledger's hash chains and signed heads over a period; name every record altered, removed or inserted",
  help: `Usage: lgsp ledger verify --from <ISO date> --to <ISO date> [--keys <JWKS file or URL>] [--json]

Reads the ledger's store the platform is configured with: Elasticsearch when ELASTICSEARCH_URL is
set, else the ledger's own tables in DATABASE_URL (or the embedded PGlite under LGSP_DATA_DIR; run it
while \`npm start\` is stopped: PGlite's files are used by one process at a time).

For every outbox partition with records or heads in the period, it checks the hash chain from the last
signed head at or before --from to the first one after --to, and the heads' signatures with the
platform signing keys (by default the key this installation signs with, as published at
/.well-known/lgsp-signing-keys). It names every problem with its partition, seq and transaction id:
  altered        a record's content does not match its hash (or was rewritten with a new hash)
  removed        a seq is missing, or a signed head's seq has no record
  inserted       a second record at a seq, a record that does not link, or one no signed head covers
  head-invalid   a head's signature does not verify with the platform keys
  head-mismatch  the chain was rewritten between two heads
Records after a partition's last head are listed as a note (not yet signed). Exit 1 when any problem
is found.

Options:
  --from <ISO date>    start of the period (e.g. 2025-01-01T00:00:00+07:00)
  --to <ISO date>      end of the period
  --keys <file|URL>    the platform's public keys (JWKS), e.g. https://<gateway>/.well-known/lgsp-signing-keys
  --json               print the report as JSON
  -h, --help           show this help
`,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    keys: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, io) {
    let from: Date;
    let to: Date;
    try {
      from = dateOption(values, 'from');
      to = dateOption(values, 'to');
      if (from.getTime() > to.getTime()) throw new CliUsageError('--from is after --to');
    } catch (error) {
      io.stderr(`lgsp ledger verify: ${(error as Error).message}\n\n${ledgerVerifyCommand.help}`);
      return ExitCode.usage;
    }
    const config = loadConfigOrExit();
    for (const warning of config.warnings) io.stderr(`warning: ${warning}\n`);
    let keys: JSONWebKeySet;
    try {
      keys = await platformKeys(config, typeof values['keys'] === 'string' ? values['keys'] : undefined);
    } catch (error) {
      io.stderr(`lgsp ledger verify: ${(error as Error).message}\n`);
      return ExitCode.failed;
    }
    const { store: reader, close } = await openLedgerStore(config);
    try {
      const report = await verifyLedger(reader, keys, { from, to });
      io.stdout(values['json'] === true ? `${JSON.stringify(report, null, 2)}\n` : formatLedgerVerification(report));
      return report.ok ? ExitCode.ok : ExitCode.failed;
    } finally {
      await close();
    }
  },
};
