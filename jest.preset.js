// Shared Jest settings for every project: SWC transforms TypeScript (with decorator metadata, which
// Nest's dependency injection needs) far faster than ts-jest on these 2-core machines; the type
// check is `tsc`'s job. ESM-only packages are transformed to CommonJS too.
const path = require('node:path');

const workspaceRoot = __dirname;
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace('/', '\\/')}$`] = path.join(workspaceRoot, target);
}

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)s$': swc,
    // PGlite's CommonJS build loads Node built-ins with import(), which Jest's sandbox allows only
    // under --experimental-vm-modules; SWC turns those into require() calls.
    '/@electric-sql/pglite/dist/.+\\.cjs$': swc,
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|oauth4webapi|uuid|@electric-sql/pglite)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper,
  testMatch: ['<rootDir>/**/*.spec.ts', '<rootDir>/**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/fixtures/'],
};
