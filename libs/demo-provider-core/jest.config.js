module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'demo-provider-core',
  rootDir: __dirname,
};
