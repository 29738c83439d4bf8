// Every project's Jest config, run as one Jest invocation by `npm test` (tools/scripts/test.mjs).
const { readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const projects = ['apps', 'libs', 'tools']
  .flatMap((group) => readdirSync(join(__dirname, group)).map((name) => join(__dirname, group, name, 'jest.config.js')))
  .filter((file) => existsSync(file));

module.exports = { projects };
