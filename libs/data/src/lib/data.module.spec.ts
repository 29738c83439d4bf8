import 'reflect-metadata';

import { Inject, Injectable, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '@lgsp/testing';

import { DATABASE_KINDS, SETUP_TIMEOUT_MS } from '../../test/test-database.util';
import { LGSP_DATABASE } from './data.constant';
import { DataModule, type DataModuleOptions } from './data.module';
import type { LgspDatabase } from './database/lgsp-database.type';
import { consumerSystems } from './schema';

describe.each(DATABASE_KINDS)('DataModule on %s', (kind) => {
  let server: TestDatabase | undefined;
  let options: DataModuleOptions;

  beforeAll(async () => {
    server = kind === 'postgres' ? await createTestDatabase() : undefined;
    options = server ? { url: server.url } : { inMemory: true };
  });
  afterAll(() => server?.drop());

  async function expectClosedAfter(app: INestApplicationContext, database: LgspDatabase): Promise<void> {
    await app.close();
    await expect(database.db.execute(sql`select 1`)).rejects.toThrow();
  }

  it(
    'provides the opened, migrated database to every module and closes it on shutdown',
    async () => {
      @Injectable()
      class ConsumerRepository {
        constructor(@Inject(LGSP_DATABASE) readonly database: LgspDatabase) {}
      }
      // Does not import DataModule: the database is global.
      @Module({ providers: [ConsumerRepository], exports: [ConsumerRepository] })
      class FeatureModule {}
      @Module({ imports: [DataModule.forRoot(options), FeatureModule] })
      class AppModule {}

      const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
      expect(app.get(ConsumerRepository).database).toBe(app.get(LGSP_DATABASE));
      const database = app.get<LgspDatabase>(LGSP_DATABASE);
      expect(database.kind).toBe(kind);
      expect(await database.db.select().from(consumerSystems)).toEqual([]);
      await expectClosedAfter(app, database);
    },
    SETUP_TIMEOUT_MS,
  );

  it(
    'takes its options from a factory',
    async () => {
      const OPTIONS = Symbol('OPTIONS');
      @Module({ providers: [{ provide: OPTIONS, useValue: options }], exports: [OPTIONS] })
      class OptionsModule {}

      const app = await NestFactory.createApplicationContext(
        DataModule.forRootAsync({
          imports: [OptionsModule],
          inject: [OPTIONS],
          useFactory: (given: DataModuleOptions) => given,
        }),
        { logger: false },
      );
      const database = app.get<LgspDatabase>(LGSP_DATABASE);
      expect(await database.db.select().from(consumerSystems)).toEqual([]);
      await expectClosedAfter(app, database);
    },
    SETUP_TIMEOUT_MS,
  );
});
