module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'iam-app',
  rootDir: __dirname,
};
