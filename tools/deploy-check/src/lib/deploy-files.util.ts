import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

import { configVariablesOf, EnvironmentVariables } from '@lgsp/config';
import { parse, parseAllDocuments } from 'yaml';

/** The repository root. */
export const ROOT = join(__dirname, '../../../..');
export const DOCKER_DIR = join(ROOT, 'docker');

export function readText(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** A YAML file of the repository, with `<<` merge keys resolved as Compose resolves them. */
export function readYaml<T = unknown>(path: string): T {
  return parse(readText(path), { merge: true }) as T;
}

export function readYamlDocuments(path: string): unknown[] {
  return parseAllDocuments(readText(path)).map((document) => {
    if (document.errors.length > 0) throw new Error(`${path}: ${document.errors.map((e) => e.message).join('; ')}`);
    return document.toJS();
  });
}

export function exists(path: string): boolean {
  return existsSync(join(ROOT, path));
}

/** Every variable LGSP reads (docs/configuration.md). */
export const CONFIG_VARIABLES: ReadonlySet<string> = new Set(configVariablesOf(EnvironmentVariables).map((v) => v.name));

/** Source files of the apps and libs, specs left out: where a metric must be defined to exist. */
export function productionSources(): { path: string; text: string }[] {
  const files: { path: string; text: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'test' && entry.name !== 'fixtures') walk(path);
      } else if (/\.ts$/.test(entry.name) && !/\.(spec|e2e-spec)\.ts$/.test(entry.name)) {
        files.push({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') });
      }
    }
  };
  for (const group of ['apps', 'libs']) walk(join(ROOT, group));
  return files;
}

/** `${NAME}`, `${NAME:-default}`, `${NAME:?message}`: the variables a Compose value interpolates. */
export function interpolatedVariables(value: string): string[] {
  return [...value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+][^}]*)?\}/g)].map((m) => m[1]);
}

/** Resolves Compose interpolation against the given variables (then the default after `:-`). */
export function interpolate(value: string, variables: Readonly<Record<string, string>>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => variables[name] || fallback || '');
}

/** KEY=value lines of an env file (comments and blank lines skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) vars[match[1]] = match[2].trim();
  }
  return vars;
}
