import { join } from 'node:path';

import type { LgspConfig } from '@lgsp/config';
import type { ChangeChannel, LgspDatabase } from '@lgsp/data';
import type { Logger } from '@lgsp/observability';
import type { PlatformSigningKey } from '@lgsp/signature';
import type { DynamicModule } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

import { LedgerApiModule } from './api/ledger-api.module';
import { headAlgorithmOf } from './chain/head-signer.util';
import type { IngestObserver } from './ingest/ingest-observer.type';
import { LedgerIngestor } from './ingest/ledger-ingestor.service';
import type { OutboxSource } from './outbox/outbox-source.type';
import { PostgresOutboxSource } from './outbox/postgres-outbox.source';
import { SegmentOutboxSource } from './outbox/segment-outbox.source';
import { ElasticsearchLedgerStore } from './store/elasticsearch-ledger.store';
import type { ChainReader, LedgerQueries, LedgerWriter } from './store/ledger-store.type';
import { SqlLedgerQueries } from './store/sql-ledger.queries';
import { SqlLedgerStore } from './store/sql-ledger.store';
import { SyslogForwarder } from './syslog/syslog-forwarder.service';
import { isSecurityEvent } from './syslog/syslog-message.util';

/**
 * The segment directories of the processes that share a data dir: the gateway's and IAM's outboxes
 * (`openOutbox` in @lgsp/gateway-core and apps/iam write there), and LGSP_LEDGER_OUTBOX_DIRS.
 */
export function ledgerOutboxDirs(config: LgspConfig): string[] {
  return [join(config.dataDir, 'ledger', 'outbox'), join(config.dataDir, 'ledger', 'iam-outbox'), ...config.ledger.outboxDirs];
}

const RETENTION_SWEEP_MS = 6 * 60 * 60 * 1000;

export interface LedgerServiceOptions {
  readonly config: LgspConfig;
  readonly logger: Logger;
  /** The registry's database: the local store's tables (without ELASTICSEARCH_URL), admin authentication, scopes. */
  readonly database: LgspDatabase;
  /** The platform signing key: chain heads, statements and reconciliations are signed with it. */
  readonly signingKey: PlatformSigningKey;
  readonly changes?: ChangeChannel;
  /** Overrides `ledgerOutboxDirs(config)`. */
  readonly directories?: readonly string[];
  /** Wait between ingest passes while everything is shipped. Default 1000 ms. */
  readonly pollIntervalMs?: number;
}

/**
 * The transaction ledger, whichever process hosts it (apps/ledger, or `npm start`): the outboxes
 * (segment files, and the shared PostgreSQL outbox with LGSP_LEDGER_OUTBOX=postgres) ingested into
 * the store (Elasticsearch with ELASTICSEARCH_URL, else the ledger tables of the registry database),
 * chained and signed; security events forwarded to LGSP_SYSLOG_URL; the SOC and reconciliation API
 * as a module for an admin listener; metrics for a Prometheus registry.
 */
export class LedgerService {
  readonly ingestor: LedgerIngestor;
  readonly writer: LedgerWriter;
  readonly reader: ChainReader;
  readonly queries: LedgerQueries;
  readonly syslog?: SyslogForwarder;
  private readonly sources: OutboxSource[];
  private readonly sqlStore?: SqlLedgerStore;
  private readonly esStore?: ElasticsearchLedgerStore;
  private retentionTimer?: NodeJS.Timeout;

  constructor(private readonly options: LedgerServiceOptions) {
    const { config, logger, database } = options;
    if (config.ledger.elasticsearch !== undefined) {
      this.esStore = ElasticsearchLedgerStore.fromConfig(config.ledger, { logger });
      this.writer = this.esStore;
      this.reader = this.esStore;
      this.queries = this.esStore;
    } else {
      this.sqlStore = new SqlLedgerStore(database);
      this.writer = this.sqlStore;
      this.reader = this.sqlStore;
      this.queries = new SqlLedgerQueries(database);
    }
    this.sources = [new SegmentOutboxSource({ directories: options.directories ?? ledgerOutboxDirs(config), logger })];
    if (config.ledger.outbox === 'postgres') this.sources.push(new PostgresOutboxSource({ databaseUrl: config.databaseUrl }));

    const observers: IngestObserver[] = [];
    if (config.ledger.syslog !== undefined) {
      const syslog = new SyslogForwarder({ url: config.ledger.syslog.url, caFile: config.ledger.syslog.caFile, logger });
      this.syslog = syslog;
      observers.push({
        ingested: (documents) => {
          for (const document of documents) if (isSecurityEvent(document)) syslog.forward(document);
        },
      });
    }
    this.ingestor = new LedgerIngestor({
      sources: this.sources,
      writer: this.writer,
      deadLetterDir: join(config.dataDir, 'ledger'),
      heads: { key: options.signingKey, intervalSeconds: config.ledger.headIntervalSeconds },
      observers,
      pollIntervalMs: options.pollIntervalMs,
      logger,
    });
  }

  /** The SOC search and reconciliation API (`/admin/v1/ledger/...`) for an admin listener. */
  apiModule(): DynamicModule {
    const key = this.options.signingKey;
    return LedgerApiModule.forRoot({
      queries: this.queries,
      signer: { keyid: key.keyid, alg: headAlgorithmOf(key.privateKey), privateKey: key.privateKey },
      database: this.options.database,
      publicUrl: this.options.config.publicUrl,
      changes: this.options.changes,
    });
  }

  /** Prepares the store (Elasticsearch: ILM, template, data stream, heads index) and starts ingesting. */
  async start(): Promise<void> {
    await this.writer.ensureReady();
    this.ingestor.start();
    if (this.sqlStore !== undefined) {
      const store = this.sqlStore;
      const sweep = (): void => {
        const before = new Date(Date.now() - this.options.config.ledger.retentionDays * 86_400_000);
        store.purge(before).then(
          (purged) => {
            if (purged.records > 0) this.options.logger.info({ event: { action: 'ledger-retention-purge' }, lgsp: { purged, before: before.toISOString() } }, 'ledger records past retention purged');
          },
          (error: unknown) => this.options.logger.warn({ err: error, event: { action: 'ledger-retention-purge-failed' } }, 'ledger retention purge failed; retried at the next sweep'),
        );
      };
      sweep();
      this.retentionTimer = setInterval(sweep, RETENTION_SWEEP_MS);
      this.retentionTimer.unref();
    }
  }

  /**
   * Finishes the batch in flight, signs the last heads, flushes syslog, releases connections. With
   * `drain` (a process whose gateway has just flushed its outbox, as `npm start` on SIGTERM), one
   * last pass first ingests everything the outboxes hold.
   */
  async stop(options: { drain?: boolean } = {}): Promise<void> {
    clearInterval(this.retentionTimer);
    await this.ingestor.stop();
    if (options.drain === true) {
      const last = await this.ingestor.runOnce();
      if (last.failed) this.options.logger.warn({ event: { action: 'ledger-final-pass-failed' } }, 'the last ledger pass failed; the outbox keeps the rest for the next start');
      await this.ingestor.signHeads();
    }
    await this.syslog?.close();
    for (const source of this.sources) await source.close();
    await this.esStore?.close();
  }

  /** The ledger's gauges and counters, read at each scrape. */
  registerMetrics(registry: Registry): void {
    const ingestor = this.ingestor;
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    };
    gauge('lgsp_ledger_backlog_records', 'Records in the PostgreSQL outbox not yet acknowledged by the store', () => ingestor.metrics.lagRecords);
    gauge('lgsp_ledger_backlog_bytes', 'Bytes in the outbox segment files not yet acknowledged by the store', () => ingestor.metrics.lagBytes);
    gauge('lgsp_ledger_shipping_lag_seconds', 'Age in seconds of the oldest record not yet stored (PostgreSQL outbox); for segment files, the time since the store last acknowledged while bytes wait; 0 when nothing waits', () => {
      const { lagOldestSeconds, lagRecords, lagBytes, lastShippedAt } = ingestor.metrics;
      if (lagOldestSeconds !== undefined) return lagOldestSeconds;
      if (lagRecords === 0 && lagBytes === 0) return 0;
      return (Date.now() - (lastShippedAt === undefined ? this.startedAt : Date.parse(lastShippedAt))) / 1000;
    });
    // The ingestor counts; a counter here follows it (increments by the difference at each scrape).
    const counter = (name: string, help: string, read: () => number): void => {
      let last = 0;
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          const value = read();
          if (value > last) this.inc(value - last);
          last = value;
        },
      });
    };
    counter('lgsp_ledger_shipped_total', 'Transaction records stored since start', () => ingestor.metrics.shipped);
    counter('lgsp_ledger_duplicates_total', 'Records found already stored (re-read after a restart) since start', () => ingestor.metrics.duplicates);
    counter('lgsp_ledger_rejected_total', 'Records refused by the store for good (dead letters) since start', () => ingestor.metrics.rejected + ingestor.metrics.malformed);
    counter('lgsp_ledger_ship_failures_total', 'Ingest passes that failed (store or outbox unavailable) since start', () => ingestor.metrics.failures);
    counter('lgsp_ledger_heads_total', 'Chain heads signed and stored since start', () => ingestor.metrics.heads);
    const syslog = this.syslog;
    if (syslog !== undefined) {
      counter('lgsp_syslog_sent_total', 'Security events delivered to LGSP_SYSLOG_URL since start', () => syslog.sent);
      counter('lgsp_syslog_dropped_total', 'Security events dropped (queue full or undelivered at stop) since start', () => syslog.dropped);
      gauge('lgsp_syslog_connected', '1 while connected to the syslog collector', () => (syslog.connected ? 1 : 0));
    }
  }

  private readonly startedAt = Date.now();
}
