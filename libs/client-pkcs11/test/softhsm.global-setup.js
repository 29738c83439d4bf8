// SoftHSM reads SOFTHSM2_CONF with getenv() when the module initialises, and Jest gives each test
// file a copy of process.env that native code never sees: the variable is set here, in the process
// the test workers start from, to a token directory of our own (never the system's).
const { mkdirSync, mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lgsp-softhsm-'));
  mkdirSync(join(dir, 'tokens'));
  writeFileSync(join(dir, 'softhsm2.conf'), `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = join(dir, 'softhsm2.conf');
  globalThis.lgspSoftHsmDir = dir;
};
