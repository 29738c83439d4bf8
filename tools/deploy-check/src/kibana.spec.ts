import { TRANSACTION_MAPPINGS } from '@lgsp/ledger';

import { readText, readYaml } from './lib/deploy-files.util';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- saved objects, checked field by field
type SavedObject = any;

/** Every field path of the data stream's mappings. */
function mappedFields(properties: Record<string, SavedObject>, prefix = ''): Set<string> {
  const fields = new Set<string>();
  for (const [name, mapping] of Object.entries(properties)) {
    const path = `${prefix}${name}`;
    if (mapping.properties !== undefined) for (const field of mappedFields(mapping.properties, `${path}.`)) fields.add(field);
    else fields.add(path);
  }
  return fields;
}

describe('docker/kibana/lgsp-transactions.ndjson', () => {
  const objects: SavedObject[] = readText('docker/kibana/lgsp-transactions.ndjson')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
  const fields = mappedFields(TRANSACTION_MAPPINGS.properties as Record<string, SavedObject>);

  it('holds a data view on the lgsp-transactions data stream, a saved search and a dashboard of four visualisations', () => {
    const dataView = objects.find((o) => o.type === 'index-pattern');
    expect(dataView.attributes).toMatchObject({ title: 'lgsp-transactions', timeFieldName: '@timestamp' });
    expect(objects.filter((o) => o.type === 'search')).toHaveLength(1);
    expect(objects.filter((o) => o.type === 'visualization')).toHaveLength(4);
    const [dashboard] = objects.filter((o) => o.type === 'dashboard');
    const panels = JSON.parse(dashboard.attributes.panelsJSON);
    const shown = panels.map((p: SavedObject) => dashboard.references.find((r: SavedObject) => r.name === p.panelRefName)?.id);
    expect(shown.sort()).toEqual(objects.filter((o) => o.type === 'visualization' || o.type === 'search').map((o) => o.id).sort());
  });

  it('resolves every reference to an object of the file', () => {
    for (const object of objects) for (const reference of object.references) expect([object.id, reference.id, objects.some((o) => o.id === reference.id && o.type === reference.type)]).toEqual([object.id, reference.id, true]);
  });

  it('uses only fields of the ECS document the ledger indexes (its strict mappings)', () => {
    const used: string[] = [objects.find((o) => o.type === 'index-pattern').attributes.timeFieldName];
    for (const object of objects) {
      if (object.type === 'search') used.push(...object.attributes.columns, ...object.attributes.sort.map((s: string[]) => s[0]));
      if (object.type === 'visualization') for (const agg of JSON.parse(object.attributes.visState).aggs) if (agg.params.field !== undefined) used.push(agg.params.field);
      const source = object.attributes.kibanaSavedObjectMeta?.searchSourceJSON;
      const query: string = source === undefined ? '' : JSON.parse(source).query.query;
      for (const match of query.matchAll(/([a-z_@][a-z0-9_.@]*)\s*:/g)) used.push(match[1]);
    }
    expect(used.filter((field) => !fields.has(field))).toEqual([]);
    expect(fields.has('lgsp.no_such_field')).toBe(false);
    expect(used).toEqual(expect.arrayContaining(['lgsp.security_event', 'lgsp.consumer.id', 'http.response.status_code', 'event.kind']));
  });

  it('is imported by the compose stack once Kibana is healthy', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the parsed compose file
    const setup = readYaml<any>('docker/compose.yaml').services['kibana-setup'];
    expect(setup.volumes).toEqual(['./kibana/lgsp-transactions.ndjson:/import/lgsp-transactions.ndjson:ro']);
    expect(setup.command.join(' ')).toMatch(/\/api\/saved_objects\/_import\?overwrite=true .*file=@\/import\/lgsp-transactions\.ndjson/);
    expect(setup.depends_on.kibana.condition).toBe('service_healthy');
  });
});
