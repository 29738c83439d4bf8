import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';

import { AdminAuthGuard } from './auth/admin-auth.guard';
import { AdminTokenVerifier } from './auth/admin-token.verifier';
import { REGISTRY_OPTIONS, type RegistryModuleOptions } from './registry-options.type';
import { RegistrationsController } from './registrations/registrations.controller';
import { RegistrationsService } from './registrations/registrations.service';
import { RegistryStore } from './store/registry-store.service';

/**
 * The control plane's admin API, on whatever admin listener imports it (apps/registry's own, the
 * admin listener of `npm start`). It uses, and does not own, the database and change channel.
 */
@Module({})
export class RegistryModule {
  static forRoot(options: RegistryModuleOptions): DynamicModule {
    return {
      module: RegistryModule,
      controllers: [RegistrationsController],
      providers: [{ provide: REGISTRY_OPTIONS, useValue: options }, AdminTokenVerifier, AdminAuthGuard, RegistryStore, RegistrationsService],
    };
  }
}
