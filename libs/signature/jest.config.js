module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'signature',
  rootDir: __dirname,
};
