import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigError } from './config.error';
import { configVariablesOf } from './config-variable.decorator';
import { ensureDataDirSecret } from './data-dir.util';
import { EnvironmentVariables } from './environment-variables';
import { loadConfig } from './lgsp-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv/lgsp');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the embedded defaults with no variables', () => {
    const config = loadConfig({}, '/srv/lgsp');
    expect(config).toMatchObject({
      port: 8080,
      adminPort: 8081,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:8080',
      allowPlainHttp: true,
      dataDir: '/srv/lgsp/.lgsp',
      upstream: { connectTimeoutMs: 1000, readTimeoutMs: 2000, writeTimeoutMs: 10000 },
      maxBodyBytes: 1048576,
    });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('converts and derives values', () => {
    const config = loadConfig({ LGSP_PORT: '0', LGSP_PUBLIC_URL: 'https://api.lgsp.example/', LGSP_DATA_DIR: 'var/data', LGSP_DECLARATIVE_CONFIG: 'lgsp.yaml' }, '/srv');
    expect(config.port).toBe(0);
    expect(config.publicUrl).toBe('https://api.lgsp.example');
    expect(config.dataDir).toBe('/srv/var/data');
    expect(config.declarativeConfig).toBe('/srv/lgsp.yaml');
  });

  it('takes LGSP_CRL as a file path (made absolute) or as an http(s) URL (kept as given)', () => {
    expect(loadConfig({ LGSP_CRL: 'pki/ca.crl' }, '/srv').signatures.crl).toBe('/srv/pki/ca.crl');
    expect(loadConfig({ LGSP_CRL: 'https://ca.gov.vn/crl/ca.crl?x=1' }, '/srv').signatures.crl).toBe('https://ca.gov.vn/crl/ca.crl?x=1');
    expect(loadConfig({ LGSP_CRL: 'HTTP://ca.local/ca.crl' }, '/srv').signatures.crl).toBe('HTTP://ca.local/ca.crl');
  });

  it.each([
    [{ LGSP_PORT: 'eighty' }, /^LGSP_PORT: must be an integer number$/],
    [{ LGSP_PORT: '70000' }, /^LGSP_PORT: .*65535/],
    [{ LGSP_PUBLIC_URL: 'api.example' }, /^LGSP_PUBLIC_URL: must be an absolute http\(s\) URL/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: must be a postgres/],
    [{ LGSP_LOG_LEVEL: 'loud' }, /^LGSP_LOG_LEVEL: must be one of fatal, error/],
    [{ LGSP_ALLOW_PLAIN_HTTP: 'maybe' }, /^LGSP_ALLOW_PLAIN_HTTP: must be true or false/],
    [{ DATABASE_URL: 'postgres://db/lgsp' }, /^LGSP_SECRET_PEPPER: is required with DATABASE_URL/],
    [{ LGSP_HOST: '0.0.0.0' }, /^LGSP_ALLOW_PLAIN_HTTP: the public listener binds 0\.0\.0\.0/],
    [{ DATABASE_URL: 'postgres://db/lgsp', LGSP_SECRET_PEPPER: 'p'.repeat(32) }, /^LGSP_KEY_ENCRYPTION_KEY: is required with DATABASE_URL/],
    [{ LGSP_TOKEN_TTL_SECONDS: '30' }, /^LGSP_TOKEN_TTL_SECONDS: must not be less than 60/],
    [{ LGSP_IAM_URL: 'iam:8080' }, /^LGSP_IAM_URL: must be an absolute http\(s\) URL/],
    [{ LGSP_CRL: 'ldap://directory.ca.gov.vn/crl' }, /^LGSP_CRL: must be a file path or an http\(s\):\/\/ URL$/],
  ])('refuses %j naming the variable', (env, pattern) => {
    expect(problemsOf(env)).toContainEqual(expect.stringMatching(pattern));
  });

  it('reports every bad variable at once and never echoes a sensitive value', () => {
    const problems = problemsOf({ LGSP_PORT: 'x', LGSP_SECRET_PEPPER: 'canary-short-pepper', LGSP_KEY_ENCRYPTION_KEY: 'k'.repeat(32), DATABASE_URL: 'postgres://db/lgsp' });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toContain('canary-short-pepper');
  });

  it('allows plain HTTP off loopback only when told to', () => {
    expect(loadConfig({ LGSP_HOST: '0.0.0.0', LGSP_ALLOW_PLAIN_HTTP: 'true' }).allowPlainHttp).toBe(true);
  });

  it('warns about unknown LGSP_ variables', () => {
    expect(loadConfig({ LGSP_PROT: '1' }).warnings).toEqual(['LGSP_PROT: unknown variable, ignored (a typo?)']);
  });

  it('describes every variable', () => {
    const vars = configVariablesOf(EnvironmentVariables);
    expect(vars.length).toBeGreaterThanOrEqual(17);
    for (const v of vars) expect(v.description.length).toBeGreaterThan(10);
  });
});

describe('ensureDataDirSecret', () => {
  it('generates a 256-bit secret once, private to the owner, and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lgsp-config-'));
    try {
      const first = await ensureDataDirSecret(join(dir, 'data'), 'secret-pepper');
      expect(Buffer.from(first, 'base64url')).toHaveLength(32);
      expect(await ensureDataDirSecret(join(dir, 'data'), 'secret-pepper')).toBe(first);
      expect((await readFile(join(dir, 'data', 'secret-pepper'), 'utf8')).trim()).toBe(first);
      expect((await stat(join(dir, 'data', 'secret-pepper'))).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('docs/configuration.md', () => {
  it('documents every variable the config class reads', async () => {
    const docs = await readFile(join(__dirname, '../../../../docs/configuration.md'), 'utf8');
    for (const v of configVariablesOf(EnvironmentVariables)) expect(docs).toContain(`| \`${v.name}\` |`);
  });
});
