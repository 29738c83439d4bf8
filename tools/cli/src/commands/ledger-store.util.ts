import type { LgspConfig } from '@lgsp/config';
import { migrateDatabase, openDatabase } from '@lgsp/data';
import { ElasticsearchLedgerStore, SqlLedgerStore, elasticsearchClientOf } from '@lgsp/ledger';
import type { ChainReader, LedgerWriter } from '@lgsp/ledger';

/** The ledger's store the configuration names: Elasticsearch with ELASTICSEARCH_URL, else the ledger tables of the database. */
export async function openLedgerStore(config: LgspConfig): Promise<{ store: LedgerWriter & ChainReader; close: () => Promise<void> }> {
  if (config.ledger.elasticsearch !== undefined) {
    const store = new ElasticsearchLedgerStore(elasticsearchClientOf(config.ledger.elasticsearch), { dataStream: config.ledger.dataStream, retentionDays: config.ledger.retentionDays }, true);
    return { store, close: () => store.close() };
  }
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  await migrateDatabase(database);
  return { store: new SqlLedgerStore(database), close: () => database.close() };
}
