import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { configFrom } from '@lgsp/config';
import { InProcessChangeChannel } from '@lgsp/data';
import { createHttpApp } from '@lgsp/http';
import { createLogger } from '@lgsp/observability';
import { closedPort } from '@lgsp/testing';
import type { OnModuleInit } from '@nestjs/common';
import { Body, Controller, Inject, Injectable, Module, Post } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';

import type { TestDb } from '../../test/iam-test.util';
import { FORM, KEY_ENCRYPTION_KEY, MemorySink, PEPPER, SETUP_TIMEOUT_MS, basic, openTestDb, seedAdmin } from '../../test/iam-test.util';
import { IamModule } from './iam.module';

const SECRET = 'compose-secret-compose-secret-compose-sec';

/** Another module of the same listener: a JSON route of its own. */
@Controller()
class EchoController {
  @Post('/echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }
}

/** Stands for the gateway's data plane: an encapsulated catch-all with its own parsers and errors. */
@Injectable()
class CatchAllInstaller implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    this.host.httpAdapter.getInstance<FastifyInstance>().register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      scope.route({ method: ['GET', 'POST'], url: '/*', handler: async (req) => ({ dataPlane: req.url }) });
    });
  }
}

@Module({ controllers: [EchoController], providers: [CatchAllInstaller] })
class NeighbourModule {}

/** IamModule on a listener it shares: its OAuth behaviour stays its own, the neighbours keep theirs. */
describe('IamModule composed into a shared listener', () => {
  let t: TestDb;
  let app: NestFastifyApplication;
  let base: string;
  let dataDir: string;
  const changes = new InProcessChangeChannel();

  beforeAll(async () => {
    t = await openTestDb('pglite');
    await seedAdmin(t.database, 'compose-admin', SECRET, ['dgo-admin']);
    dataDir = mkdtempSync(join(tmpdir(), 'lgsp-iam-compose-'));
    const port = await closedPort();
    const config = configFrom({ LGSP_PORT: String(port), LGSP_DATA_DIR: dataDir });
    const logger = createLogger({ service: 'lgsp', level: 'silent' });
    @Module({
      imports: [
        NeighbourModule,
        IamModule.forRoot({ config, logger, database: t.database, changes, sink: new MemorySink(), pepper: PEPPER, keyEncryptionKey: KEY_ENCRYPTION_KEY }),
      ],
    })
    class SharedModule {}
    ({ app } = await createHttpApp(SharedModule, { service: 'lgsp', logger, bodyLimit: 1_048_576 }));
    await app.listen({ port, host: '127.0.0.1' });
    base = `http://127.0.0.1:${port}`;
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await app?.close();
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves tokens and metadata beside a catch-all data plane', async () => {
    const token = await request(`${base}/oauth2/token`, { method: 'POST', headers: { 'content-type': FORM, authorization: basic('compose-admin', SECRET) }, body: 'grant_type=client_credentials' });
    expect(token.statusCode).toBe(200);
    await token.body.dump();
    expect((await request(`${base}/.well-known/oauth-authorization-server`)).statusCode).toBe(200);
    const dataPlane = await request(`${base}/v1/directory/organisations`, { method: 'POST', headers: { 'content-type': FORM }, body: 'a=1' });
    expect(await dataPlane.body.json()).toEqual({ dataPlane: '/v1/directory/organisations' });
  });

  it('leaves the neighbours’ errors to the global problem+json filter', async () => {
    const echo = await request(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await echo.body.json()).toEqual({ a: 1 });
    const unsupported = await request(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' });
    expect(unsupported.statusCode).toBe(415);
    expect(unsupported.headers['content-type']).toContain('application/problem+json');
    await unsupported.body.dump();
    const oauth = await request(`${base}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' });
    expect({ status: oauth.statusCode, type: oauth.headers['content-type'], body: await oauth.body.json() }).toEqual({
      status: 400,
      type: 'application/json; charset=utf-8',
      body: { error: 'invalid_request', error_description: 'The request body must be application/x-www-form-urlencoded' },
    });
  });
});
