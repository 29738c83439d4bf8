import { Module } from '@nestjs/common';

import { DocumentsModule } from './documents/documents.module';
import { OrganisationsModule } from './organisations/organisations.module';

/** The sample provider data service: a directory of Party organisations and their documents. */
@Module({ imports: [OrganisationsModule, DocumentsModule] })
export class DemoProviderModule {}
