import { loadPkcs11Binding, PKCS11_BINDING_PACKAGE } from './pkcs11-binding.util';
import { Pkcs11SignerErrorCode } from './pkcs11-signer.error';

describe('loadPkcs11Binding', () => {
  it('loads pkcs11js, the optional dependency', () => {
    expect(PKCS11_BINDING_PACKAGE).toBe('pkcs11js');
    expect(typeof loadPkcs11Binding().PKCS11).toBe('function');
  });

  it('names the package to install when it is absent', () => {
    const absent = () => {
      throw Object.assign(new Error("Cannot find module 'pkcs11js'"), { code: 'MODULE_NOT_FOUND' });
    };

    expect(() => loadPkcs11Binding(absent)).toThrow(expect.objectContaining({ code: Pkcs11SignerErrorCode.BindingMissing, message: expect.stringContaining('npm install pkcs11js') }));
  });

  it('says when the package is there but its native addon does not load', () => {
    const broken = () => {
      throw new Error('pkcs11.node: invalid ELF header');
    };

    expect(() => loadPkcs11Binding(broken)).toThrow(expect.objectContaining({ code: Pkcs11SignerErrorCode.BindingMissing, message: expect.stringContaining('invalid ELF header') }));
  });
});
