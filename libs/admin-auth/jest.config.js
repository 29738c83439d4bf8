module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'admin-auth',
  rootDir: __dirname,
};
