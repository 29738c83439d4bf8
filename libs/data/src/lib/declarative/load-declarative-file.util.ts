import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import { ENVIRONMENTS } from '@lgsp/contracts';
import { parseDocument } from 'yaml';

import { type CertificateInfo, parseCertificate } from '../certificate.util';
import { DeclarativeConfigError, type DeclarativeConfigProblem } from './declarative-config.error';
import type {
  DeclarativeApi,
  DeclarativeCertificate,
  DeclarativeConfig,
  DeclarativeConsumer,
  DeclarativeSecret,
  RawApi,
  RawConsumer,
  RawDeclarativeConfig,
  RawSecretChoice,
} from './declarative-config.type';
import { checkAgainstSchema } from './declarative-schema.util';

/**
 * Reads a declarative file (YAML or JSON), validates it against
 * openapi/declarative-config.schema.json, reads the files it references and checks what a schema
 * cannot: certificates parse, OpenAPI documents are 3.0.x, nothing is defined twice. Subscriptions to
 * API versions absent from the file are checked against the registry by applyDeclarativeConfig.
 * Throws a DeclarativeConfigError naming the file and each offending field.
 */
export async function loadDeclarativeFile(file: string): Promise<DeclarativeConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DeclarativeConfigError(file, [{ path: '', message: `cannot be read (${ioReason(error)})` }]);
  }
  const parsed = parseYamlOrJson(text);
  if ('problem' in parsed) throw new DeclarativeConfigError(file, [{ path: '', message: parsed.problem }]);
  return parseDeclarativeConfig(parsed.value, { source: file, baseDir: dirname(resolve(file)) });
}

/** The same checks on an already parsed document; referenced files are resolved against baseDir. */
export async function parseDeclarativeConfig(
  document: unknown,
  options: { readonly source: string; readonly baseDir: string },
): Promise<DeclarativeConfig> {
  const check = checkAgainstSchema(document);
  if (!check.valid) throw new DeclarativeConfigError(options.source, check.problems);
  const raw = check.value;
  const problems: DeclarativeConfigProblem[] = [];
  findDuplicates(raw, problems);
  // One entry after the other, so that problems are listed in file order.
  const files = new ReferencedFiles(options.baseDir);
  const fingerprints = new FirstSeen(problems);
  const consumers: DeclarativeConsumer[] = [];
  for (const [i, consumer] of (raw.consumers ?? []).entries()) {
    consumers.push(await toConsumer(consumer, `consumers[${i}]`, { files, fingerprints, problems }));
  }
  const apis: DeclarativeApi[] = [];
  for (const [i, api] of (raw.apis ?? []).entries()) apis.push(await toApi(api, `apis[${i}]`, files, problems));
  if (problems.length > 0) throw new DeclarativeConfigError(options.source, problems);
  return {
    source: options.source,
    consumers,
    admins: (raw.admins ?? []).map((admin) => ({
      clientId: admin.client_id,
      secret: toSecret(admin),
      roles: admin.roles,
      ...(admin.name !== undefined && { name: admin.name }),
      ...(admin.organisation !== undefined && { organisation: admin.organisation }),
    })),
    apis,
  };
}

interface ConsumerChecks {
  readonly files: ReferencedFiles;
  /** Certificates seen so far in the whole file: the same one may not appear under two ids. */
  readonly fingerprints: FirstSeen;
  readonly problems: DeclarativeConfigProblem[];
}

async function toConsumer(
  raw: RawConsumer,
  path: string,
  { files, fingerprints, problems }: ConsumerChecks,
): Promise<DeclarativeConsumer> {
  const certificates: DeclarativeCertificate[] = [];
  for (const [i, certificate] of (raw.certificates ?? []).entries()) {
    const field = `${path}.certificates[${i}].${certificate.pem_file !== undefined ? 'pem_file' : 'pem'}`;
    const pem = certificate.pem ?? (await files.read(certificate.pem_file as string, field, problems));
    if (pem === undefined) continue;
    let parsed: CertificateInfo;
    try {
      parsed = parseCertificate(pem);
    } catch {
      const what = certificate.pem_file !== undefined ? `${certificate.pem_file} does not hold` : 'is not';
      problems.push({ path: field, message: `${what} a PEM X.509 certificate` });
      continue;
    }
    const where = `${path}.certificates[${i}]`;
    fingerprints.check(parsed.fingerprintSha256, where, where, 'is the same certificate as', false);
    certificates.push({ id: certificate.id, pem: parsed.pem });
  }
  return {
    id: raw.id,
    name: raw.name,
    ...(raw.organisation !== undefined && { organisation: raw.organisation }),
    ...(raw.status !== undefined && { status: raw.status }),
    credentials: (raw.credentials ?? []).map((credential) => ({
      clientId: credential.client_id,
      secret: toSecret(credential),
      environment: credential.environment,
      ...(credential.token_ttl_seconds !== undefined && { tokenTtlSeconds: credential.token_ttl_seconds }),
    })),
    certificates,
    ...(raw.limits && {
      limits: { readPerMinute: raw.limits.read_per_minute, writePerMinute: raw.limits.write_per_minute },
    }),
    subscriptions: (raw.subscriptions ?? []).map((subscription) => ({
      api: subscription.api,
      version: subscription.version,
      environments: subscription.environments ?? [...ENVIRONMENTS],
    })),
  };
}

async function toApi(
  raw: RawApi,
  path: string,
  files: ReferencedFiles,
  problems: DeclarativeConfigProblem[],
): Promise<DeclarativeApi> {
  let openapi: Record<string, unknown> = {};
  if (raw.openapi !== undefined) {
    if (checkOpenApi(raw.openapi, 'the document', `${path}.openapi`, problems)) openapi = raw.openapi;
  } else {
    const field = `${path}.openapi_file`;
    const text = await files.read(raw.openapi_file as string, field, problems);
    if (text !== undefined) {
      const parsed = parseYamlOrJson(text);
      if ('problem' in parsed) problems.push({ path: field, message: `${raw.openapi_file} ${parsed.problem}` });
      else if (checkOpenApi(parsed.value, raw.openapi_file as string, field, problems)) {
        openapi = parsed.value as Record<string, unknown>;
      }
    }
  }
  const upstreams = raw.upstreams ?? { sandbox: raw.upstream as string, production: raw.upstream as string };
  return {
    domain: raw.domain,
    version: raw.version,
    ...(raw.name !== undefined && { name: raw.name }),
    ...(raw.provider !== undefined && { provider: raw.provider }),
    upstreams: { sandbox: upstreams.sandbox, production: upstreams.production },
    openapi,
    classification: raw.classification,
    ...(raw.status !== undefined && { status: raw.status }),
    ...(raw.sunset !== undefined && { sunset: raw.sunset }),
    ...(raw.read_timeout_ms !== undefined && { readTimeoutMs: raw.read_timeout_ms }),
    ...(raw.write_timeout_ms !== undefined && { writeTimeoutMs: raw.write_timeout_ms }),
  };
}

/** Full validation of the document belongs to the registry; here only what routing relies on. */
function checkOpenApi(document: unknown, what: string, path: string, problems: DeclarativeConfigProblem[]): boolean {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    problems.push({ path, message: `${what} is not an OpenAPI document` });
    return false;
  }
  const version = (document as Record<string, unknown>)['openapi'];
  if (typeof version !== 'string' || !/^3\.0\.\d+$/.test(version)) {
    const found =
      typeof version === 'string'
        ? `is OpenAPI ${version}`
        : version === undefined
          ? 'has no openapi field'
          : `has openapi: ${JSON.stringify(version)} (write the version as a string)`;
    problems.push({ path, message: `${what} ${found}; only OpenAPI 3.0.x is accepted` });
    return false;
  }
  const paths = (document as Record<string, unknown>)['paths'];
  if (paths === null || typeof paths !== 'object' || Array.isArray(paths)) {
    problems.push({ path, message: `${what} has no paths object` });
    return false;
  }
  return true;
}

function toSecret(raw: RawSecretChoice): DeclarativeSecret {
  return raw.client_secret !== undefined ? { plain: raw.client_secret } : { hash: raw.client_secret_hash as string };
}

function findDuplicates(raw: RawDeclarativeConfig, problems: DeclarativeConfigProblem[]): void {
  const consumerIds = new FirstSeen(problems);
  const clientIds = new FirstSeen(problems);
  const certificateIds = new FirstSeen(problems);
  (raw.consumers ?? []).forEach((consumer, i) => {
    const path = `consumers[${i}]`;
    consumerIds.check(consumer.id, `${path}.id`, path, 'is already defined at');
    (consumer.credentials ?? []).forEach((credential, j) =>
      clientIds.check(
        credential.client_id,
        `${path}.credentials[${j}].client_id`,
        `${path}.credentials[${j}]`,
        'is already used at',
      ),
    );
    (consumer.certificates ?? []).forEach((certificate, j) =>
      certificateIds.check(
        certificate.id,
        `${path}.certificates[${j}].id`,
        `${path}.certificates[${j}]`,
        'is already used at',
      ),
    );
    const subscriptions = new FirstSeen(problems);
    (consumer.subscriptions ?? []).forEach((subscription, j) =>
      subscriptions.check(
        `${subscription.api} ${subscription.version}`,
        `${path}.subscriptions[${j}]`,
        `${path}.subscriptions[${j}]`,
        'is already listed at',
      ),
    );
  });
  (raw.admins ?? []).forEach((admin, i) =>
    clientIds.check(admin.client_id, `admins[${i}].client_id`, `admins[${i}]`, 'is already used at'),
  );
  const versions = new FirstSeen(problems);
  const names = new Map<string, { name?: string; provider?: string; path: string }>();
  (raw.apis ?? []).forEach((api, i) => {
    const path = `apis[${i}]`;
    versions.check(`${api.domain} ${api.version}`, `${path}.version`, path, 'is already defined at');
    const first = names.get(api.domain);
    if (!first) {
      names.set(api.domain, { name: api.name, provider: api.provider, path });
      return;
    }
    for (const field of ['name', 'provider'] as const) {
      if (api[field] === undefined) continue;
      if (first[field] === undefined) first[field] = api[field];
      else if (first[field] !== api[field]) {
        problems.push({
          path: `${path}.${field}`,
          message: `differs from the ${field} of ${api.domain} given at ${first.path}`,
        });
      }
    }
  });
}

/** Remembers where each key was first seen and reports any repetition. */
class FirstSeen {
  private readonly seen = new Map<string, string>();

  constructor(private readonly problems: DeclarativeConfigProblem[]) {}

  check(key: string, path: string, where: string, verb: string, showKey = true): void {
    const first = this.seen.get(key);
    if (first === undefined) this.seen.set(key, where);
    else this.problems.push({ path, message: `${showKey ? `${key} ` : ''}${verb} ${first}` });
  }
}

/** Files named by pem_file and openapi_file, read once each, relative to the declarative file. */
class ReferencedFiles {
  private readonly cache = new Map<string, Promise<{ text: string } | { reason: string }>>();

  constructor(private readonly baseDir: string) {}

  async read(file: string, path: string, problems: DeclarativeConfigProblem[]): Promise<string | undefined> {
    const absolute = resolve(this.baseDir, file);
    let pending = this.cache.get(absolute);
    if (!pending) {
      pending = readFile(absolute, 'utf8').then(
        (text) => ({ text }),
        (error: unknown) => ({ reason: ioReason(error) }),
      );
      this.cache.set(absolute, pending);
    }
    const result = await pending;
    if ('text' in result) return result.text;
    problems.push({ path, message: `cannot read ${file} (${result.reason})` });
    return undefined;
  }
}

function parseYamlOrJson(text: string): { value: unknown } | { problem: string } {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const reasons = document.errors.map((error) => error.message.split('\n')[0]);
    return { problem: `is not valid YAML or JSON: ${reasons.join('; ')}` };
  }
  return { value: document.toJS({ maxAliasCount: 100 }) };
}

function ioReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code ?? message;
}
