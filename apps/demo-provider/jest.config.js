module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'demo-provider',
  rootDir: __dirname,
};
