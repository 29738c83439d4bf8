import { adminAuthProviders } from '@lgsp/admin-auth';
import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';

import { AdminClientsController } from './admin-clients/admin-clients.controller';
import { AdminClientsService } from './admin-clients/admin-clients.service';
import { ApisController } from './apis/apis.controller';
import { ApisService } from './apis/apis.service';
import { AuditController } from './audit/audit.controller';
import { AuditService } from './audit/audit.service';
import { BlocksController } from './blocks/blocks.controller';
import { BlocksService } from './blocks/blocks.service';
import { ConsumersController } from './consumers/consumers.controller';
import { ConsumersService } from './consumers/consumers.service';
import { ExportController } from './export/export.controller';
import { ExportService } from './export/export.service';
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
      controllers: [RegistrationsController, ConsumersController, ApisController, BlocksController, AuditController, ExportController, AdminClientsController],
      providers: [
        { provide: REGISTRY_OPTIONS, useValue: options },
        ...adminAuthProviders(() => ({ database: options.database, publicUrl: options.config.publicUrl, changes: options.changes })),
        RegistryStore,
        RegistrationsService,
        ConsumersService,
        ApisService,
        BlocksService,
        ExportService,
        AdminClientsService,
        AuditService,
      ],
    };
  }
}
