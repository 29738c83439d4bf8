import { MediaType } from '@lgsp/contracts';
import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Put, Query, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { Consumes } from '../common/consumes.guard';
import type { Page } from '../common/page.type';
import { uuidParam } from '../common/uuid-param.util';
import type { WriteContext } from '../common/write-context.util';
import { Write } from '../common/write-context.util';
import { DocumentHeadersInterceptor } from './document-headers.interceptor';
import type { Document } from './document.type';
import { MERGE_PATCH_JSON } from './documents.constant';
import { DocumentsService } from './documents.service';
import { DocumentInputDto } from './dto/document-input.dto';
import { DocumentPageDto } from './dto/document-page.dto';
import { DocumentPatchDto } from './dto/document-patch.dto';
import { DocumentDto } from './dto/document.dto';
import { ListDocumentsQueryDto } from './dto/list-documents-query.dto';

const documentId = uuidParam('documentId');

@ApiTags('documents')
@Controller('documents')
@UseInterceptors(DocumentHeadersInterceptor)
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Get()
  @ApiOperation({ operationId: 'listDocuments', summary: 'List documents, newest first' })
  @ApiOkResponse({ type: DocumentPageDto })
  list(@Query() query: ListDocumentsQueryDto): Page<Document> {
    return this.documents.list(query);
  }

  @Get(':documentId')
  @ApiOperation({ operationId: 'getDocument', summary: 'Get one document' })
  @ApiOkResponse({ type: DocumentDto })
  get(@Param('documentId', documentId) id: string): Document {
    return this.documents.get(id);
  }

  @Post()
  @Consumes(MediaType.json)
  @ApiOperation({ operationId: 'createDocument', summary: 'Record a document' })
  @ApiCreatedResponse({ type: DocumentDto })
  create(@Body() input: DocumentInputDto, @Write() write: WriteContext): Document {
    return this.documents.create(input, write);
  }

  @Put(':documentId')
  @Consumes(MediaType.json)
  @ApiOperation({ operationId: 'replaceDocument', summary: 'Replace a document' })
  @ApiOkResponse({ type: DocumentDto })
  replace(@Param('documentId', documentId) id: string, @Body() input: DocumentInputDto, @Write() write: WriteContext): Document {
    return this.documents.replace(id, input, write);
  }

  @Patch(':documentId')
  @Consumes(MERGE_PATCH_JSON, MediaType.json)
  @ApiOperation({ operationId: 'patchDocument', summary: 'Change some fields of a document (JSON merge patch)' })
  @ApiOkResponse({ type: DocumentDto })
  patch(@Param('documentId', documentId) id: string, @Body() patch: DocumentPatchDto, @Write() write: WriteContext): Document {
    return this.documents.patch(id, patch, write);
  }

  @Delete(':documentId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'deleteDocument', summary: 'Delete a document' })
  @ApiNoContentResponse({ description: 'Deleted' })
  remove(@Param('documentId', documentId) id: string, @Write() write: WriteContext): void {
    this.documents.remove(id, write);
  }
}
