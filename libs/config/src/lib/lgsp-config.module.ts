import type { DynamicModule } from '@nestjs/common';
import { Global, Module } from '@nestjs/common';

import { LGSP_CONFIG } from './lgsp-config.constant';
import type { LgspConfig } from './lgsp-config';

/**
 * Provides the already validated configuration. main.ts calls loadConfig() once (exiting on a
 * ConfigError before Nest starts); tests pass a config built with configFrom(). Unlike
 * ConfigModule.forRoot, this lets several apps with different settings share one process.
 */
@Global()
@Module({})
export class LgspConfigModule {
  static forRoot(config: LgspConfig): DynamicModule {
    return { module: LgspConfigModule, providers: [{ provide: LGSP_CONFIG, useValue: config }], exports: [LGSP_CONFIG] };
  }
}
