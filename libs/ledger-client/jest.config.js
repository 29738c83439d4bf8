module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'ledger-client',
  rootDir: __dirname,
};
