const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'deploy-check',
  rootDir: __dirname,
  // @prometheus-io/lezer-promql's CommonJS build is index.cjs.
  moduleFileExtensions: [...preset.moduleFileExtensions, 'cjs'],
};
