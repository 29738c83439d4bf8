import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { validateOpenApiDocument } from './openapi-validation.util';
it('smoke', async () => {
  const doc = parse(readFileSync('/work/main/libs/openapi/src/lib/fixtures/persons.openapi.yaml', 'utf8'));
  console.log(JSON.stringify(await validateOpenApiDocument(doc)).slice(0, 300));
  const bad = structuredClone(doc);
  delete bad.info;
  bad.paths['/persons/{id}'].get.responses = 'nope';
  bad.components.schemas.Person.properties.fullName.type = 'strin';
  bad.paths['/persons'].get.parameters.push({ $ref: 'https://example.org/p.yaml' });
  bad.paths['/persons'].post.requestBody.content['application/json'].schema = { $ref: '#/components/schemas/Nope' };
  console.log(JSON.stringify(await validateOpenApiDocument(bad), null, 1));
});
