module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'registry-app',
  rootDir: __dirname,
};
