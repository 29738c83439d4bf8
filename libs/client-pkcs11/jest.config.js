module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'client-pkcs11',
  rootDir: __dirname,
  globalSetup: '<rootDir>/test/softhsm.global-setup.js',
  globalTeardown: '<rootDir>/test/softhsm.global-teardown.js',
};
