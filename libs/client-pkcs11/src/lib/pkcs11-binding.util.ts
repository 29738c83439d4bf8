import { Pkcs11SignerError, Pkcs11SignerErrorCode } from './pkcs11-signer.error';
import type { Pkcs11Binding } from './pkcs11-binding.type';

export const PKCS11_BINDING_PACKAGE = 'pkcs11js';

/* eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native package, loaded on first use */
const requireBinding = (): unknown => require(PKCS11_BINDING_PACKAGE);

/**
 * Loads pkcs11js on first use only, so that @lgsp/client works on machines where the optional
 * native package did not install; there, opening a PKCS#11 signer says which package to add.
 */
export function loadPkcs11Binding(load: () => unknown = requireBinding): Pkcs11Binding {
  try {
    return load() as Pkcs11Binding;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
    throw new Pkcs11SignerError(
      Pkcs11SignerErrorCode.BindingMissing,
      missing
        ? `The PKCS#11 signer needs the optional package ${PKCS11_BINDING_PACKAGE}: npm install ${PKCS11_BINDING_PACKAGE} (it builds a native addon: python3, make and a C++ compiler)`
        : `The optional package ${PKCS11_BINDING_PACKAGE} is installed but does not load: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
