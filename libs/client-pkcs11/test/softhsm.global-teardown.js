const { rmSync } = require('node:fs');

module.exports = async () => {
  if (globalThis.lgspSoftHsmDir !== undefined) rmSync(globalThis.lgspSoftHsmDir, { recursive: true, force: true });
};
