import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

import { loadConfigOrExit } from '@lgsp/config';
import { DEAD_LETTER_FILE } from '@lgsp/ledger';
import type { ChainedDocument, DeadLetter } from '@lgsp/ledger';

import type { CliCommand } from '../cli-command.type';
import { ExitCode } from '../cli-command.type';
import { openLedgerStore } from './ledger-store.util';

const BATCH = 500;

/** Writes the letters that stay, atomically (temp file, fsync, rename): a crash leaves the old file or the new one. */
async function rewrite(file: string, letters: readonly string[]): Promise<void> {
  const temporary = `${file}.replay-${process.pid}`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.write(letters.length === 0 ? '' : `${letters.join('\n')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

export const ledgerReplayCommand: CliCommand = {
  path: ['ledger', 'replay'],
  summary: "Store again the documents the ledger's store refused (the dead letters), once the cause is fixed",
  help: `Usage: lgsp ledger replay [--file <dead-letter file>] [--dry-run]

A document the store refused for good (a mapping conflict, a field too large, ...) is kept, chained,
in ${'${LGSP_DATA_DIR}'}/ledger/${DEAD_LETTER_FILE}; \`lgsp ledger verify\` reports its seq as removed
until it is stored. Once the cause is fixed (the template updated, say), this command appends every
refused document to the configured store — Elasticsearch with ELASTICSEARCH_URL, else the ledger's
tables — exactly as it was chained, so the chain is whole again. Documents stored (or found already
stored) leave the file; those refused again stay, with malformed outbox lines, which are never replayed.
Exit 1 when any document is refused again.

Options:
  --file <path>   the dead-letter file (default: the data dir's)
  --dry-run       count what would be replayed, store nothing
  -h, --help      show this help
`,
  options: { file: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run(values, io) {
    const config = loadConfigOrExit();
    for (const warning of config.warnings) io.stderr(`warning: ${warning}\n`);
    const file = typeof values['file'] === 'string' ? values['file'] : join(config.dataDir, 'ledger', DEAD_LETTER_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        io.stdout(`no dead letters (${file} does not exist)\n`);
        return ExitCode.ok;
      }
      throw error;
    }
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    const kept: string[] = [];
    const pending: { line: string; document: ChainedDocument }[] = [];
    for (const line of lines) {
      let letter: DeadLetter | undefined;
      try {
        letter = JSON.parse(line) as DeadLetter;
      } catch {
        letter = undefined;
      }
      if (letter?.kind === 'rejected' && letter.document !== undefined) pending.push({ line, document: letter.document });
      else kept.push(line);
    }
    if (values['dry-run'] === true) {
      io.stdout(`${pending.length} refused document(s) would be replayed; ${kept.length} other line(s) stay\n`);
      return ExitCode.ok;
    }
    const { store, close } = await openLedgerStore(config);
    let created = 0;
    let duplicates = 0;
    let refused = 0;
    try {
      await store.ensureReady();
      for (let i = 0; i < pending.length; i += BATCH) {
        const batch = pending.slice(i, i + BATCH);
        const result = await store.append(batch.map((item) => item.document));
        created += result.created;
        duplicates += result.duplicates;
        const again = new Set(result.rejected.map((rejection) => rejection.document.transaction.id));
        for (const item of batch) if (again.has(item.document.transaction.id)) kept.push(item.line);
        refused += result.rejected.length;
        for (const rejection of result.rejected) io.stderr(`refused again: ${rejection.document.transaction.id} (${rejection.status} ${rejection.reason})\n`);
      }
    } finally {
      await close();
    }
    await rewrite(file, kept);
    io.stdout(`${created} document(s) stored, ${duplicates} already stored, ${refused} refused again; ${kept.length} line(s) left in ${file}\n`);
    return refused === 0 ? ExitCode.ok : ExitCode.failed;
  },
};
