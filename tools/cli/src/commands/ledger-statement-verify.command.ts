import { readFile } from 'node:fs/promises';

import { loadConfigOrExit } from '@lgsp/config';
import { verifyStatement } from '@lgsp/ledger';

import type { CliCommand } from '../cli-command.type';
import { ExitCode } from '../cli-command.type';
import { platformKeys } from './ledger-verify.command';

export const ledgerStatementVerifyCommand: CliCommand = {
  path: ['ledger', 'verify-statement'],
  summary: 'Check the platform signature of a saved statement or reconciliation (its body and X-LGSP-Statement-Signature)',
  help: `Usage: lgsp ledger verify-statement --body <file> --signature <JWS or file> --keys <JWKS file or URL>

A statement (GET /admin/v1/ledger/statements) or a reconciliation (POST /admin/v1/ledger/reconciliations)
is signed by the platform: X-LGSP-Statement-Signature holds a compact JWS with a detached payload over
the exact bytes of the body. Keep both, and this command proves later that the platform issued that
body, for which party and period. Exit 0 and the party and period when the signature holds, 1 when not.

Options:
  --body <file>           the body exactly as received (JSON or CSV)
  --signature <jws|file>  the X-LGSP-Statement-Signature value, or a file holding it
  --keys <file|URL>       the platform's public keys, e.g. https://<gateway>/.well-known/lgsp-signing-keys
                          (default: the key this installation signs with)
  -h, --help              show this help
`,
  options: { body: { type: 'string' }, signature: { type: 'string' }, keys: { type: 'string' } },
  async run(values, io) {
    const bodyFile = values['body'];
    const signature = values['signature'];
    if (typeof bodyFile !== 'string' || typeof signature !== 'string') {
      io.stderr(`lgsp ledger verify-statement: --body and --signature are required\n\n${ledgerStatementVerifyCommand.help}`);
      return ExitCode.usage;
    }
    const config = loadConfigOrExit();
    const body = await readFile(bodyFile);
    const jws = /^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/.test(signature.trim()) ? signature.trim() : (await readFile(signature, 'utf8')).trim();
    try {
      const keys = await platformKeys(config, typeof values['keys'] === 'string' ? values['keys'] : undefined);
      const verified = await verifyStatement(body, jws, keys);
      io.stdout(`valid: signed by key ${verified.kid} (${verified.alg}) for ${verified.party}, ${verified.from} to ${verified.to}\n`);
      return ExitCode.ok;
    } catch (error) {
      io.stdout(`INVALID: ${(error as Error).message}\n`);
      return ExitCode.failed;
    }
  },
};
