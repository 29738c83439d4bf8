import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';

import { LGSP_DATABASE } from './data.constant';
import type { LgspDatabase, OpenDatabaseOptions } from './database/lgsp-database.type';
import { migrateDatabase } from './database/migrate-database.util';
import { openDatabase } from './database/open-database.util';

export interface DataModuleOptions extends OpenDatabaseOptions {
  /** Apply pending migrations before anything uses the database (default true). */
  readonly migrate?: boolean;
}

export interface DataModuleAsyncOptions {
  readonly imports?: DynamicModule['imports'];
  readonly inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
  readonly useFactory: (...args: never[]) => DataModuleOptions | Promise<DataModuleOptions>;
}

@Injectable()
class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(LGSP_DATABASE) private readonly database: LgspDatabase) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

async function openAndMigrate(options: DataModuleOptions): Promise<LgspDatabase> {
  const database = await openDatabase(options);
  if (options.migrate !== false) {
    try {
      await migrateDatabase(database);
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

/** Provides the opened, migrated registry database as LGSP_DATABASE to the whole application. */
@Global()
@Module({})
export class DataModule {
  static forRoot(options: DataModuleOptions): DynamicModule {
    return DataModule.withProvider({ provide: LGSP_DATABASE, useFactory: () => openAndMigrate(options) });
  }

  /** For options that come from another provider, such as the validated configuration. */
  static forRootAsync(options: DataModuleAsyncOptions): DynamicModule {
    return {
      ...DataModule.withProvider({
        provide: LGSP_DATABASE,
        inject: options.inject ?? [],
        useFactory: async (...args: never[]) => openAndMigrate(await options.useFactory(...args)),
      }),
      imports: options.imports ?? [],
    };
  }

  private static withProvider(provider: Provider): DynamicModule {
    return { module: DataModule, providers: [provider, DatabaseCloser], exports: [LGSP_DATABASE] };
  }
}
