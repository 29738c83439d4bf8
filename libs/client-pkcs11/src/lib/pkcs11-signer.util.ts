import { createHash } from 'node:crypto';

import { ecdsaRawSignature } from './ecdsa-signature.util';
import type { Pkcs11Binding, Pkcs11Handle, Pkcs11Mechanism, Pkcs11Module } from './pkcs11-binding.type';
import { loadPkcs11Binding } from './pkcs11-binding.util';
import { Pkcs11SignerError, Pkcs11SignerErrorCode } from './pkcs11-signer.error';
import type { Pkcs11SignatureAlgorithm, Pkcs11Signer, Pkcs11SignerOptions } from './pkcs11-signer.type';

/** DER of the OID prime256v1 (1.2.840.10045.3.1.7), as CKA_EC_PARAMS holds it. */
const P256_EC_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');
const P256_SIZE = 32;
const MIN_RSA_BYTES = 2048 / 8;

interface LoadedModule {
  readonly module: Pkcs11Module;
  users: number;
}

/**
 * A PKCS#11 module is initialised once per process: a second C_Initialize is refused and one
 * C_Finalize ends every session. Signers on the same module share it and the last to close finalises.
 */
const loadedModules = new Map<string, LoadedModule>();

/**
 * Opens a session on a token, logs in with the PIN and finds the private key; `sign` then signs the
 * RFC 9421 signature base inside the token: ECDSA over a SHA-256 digest computed here (returned as
 * r‖s), RSASSA-PKCS1-v1_5 with SHA-256, or RSASSA-PSS with SHA-512, MGF1-SHA-512 and a 64-byte salt.
 * Signatures are made one at a time (a session runs one operation), off the event loop.
 */
export function openPkcs11Signer(options: Pkcs11SignerOptions): Pkcs11Signer {
  const binding = loadPkcs11Binding();
  const module = acquireModule(binding, options.modulePath);
  let session: Pkcs11Handle | undefined;
  try {
    const slot = findSlot(module, options);
    session = module.C_OpenSession(slot, binding.CKF_SERIAL_SESSION);
    login(binding, module, session, options.pin);
    const key = findPrivateKey(binding, module, session, options);
    checkKey(binding, module, session, key, options.alg);
    return signerOn(binding, module, session, key, options);
  } catch (error) {
    if (session !== undefined) closeQuietly(() => module.C_CloseSession(session as Pkcs11Handle));
    releaseModule(options.modulePath);
    throw error;
  }
}

function signerOn(binding: Pkcs11Binding, module: Pkcs11Module, session: Pkcs11Handle, key: Pkcs11Handle, options: Pkcs11SignerOptions): Pkcs11Signer {
  const { mechanism, input, output } = SIGNING[options.alg](binding);
  let queue: Promise<unknown> = Promise.resolve();
  let open = true;

  const signOnce = async (base: Buffer): Promise<Buffer> => {
    if (!open) throw new Pkcs11SignerError(Pkcs11SignerErrorCode.SignFailed, 'The PKCS#11 signer is closed');
    try {
      module.C_SignInit(session, mechanism, key);
      return output(await module.C_SignAsync(session, input(base), Buffer.alloc(1024)));
    } catch (error) {
      throw new Pkcs11SignerError(Pkcs11SignerErrorCode.SignFailed, `The token did not sign (${options.alg}): ${(error as Error).message}`, { cause: error });
    }
  };

  return {
    keyid: options.keyid,
    alg: options.alg,
    sign(base: Buffer): Promise<Buffer> {
      const signed = queue.then(() => signOnce(base));
      queue = signed.catch(() => undefined);
      return signed;
    },
    close(): void {
      if (!open) return;
      open = false;
      // No C_Logout: it would log out every signer of this process on the token; closing the last
      // session on a token logs out by itself.
      closeQuietly(() => module.C_CloseSession(session));
      releaseModule(options.modulePath);
    },
  };
}

interface Signing {
  readonly mechanism: Pkcs11Mechanism;
  readonly input: (base: Buffer) => Buffer;
  readonly output: (signature: Buffer) => Buffer;
}

const SIGNING: Readonly<Record<Pkcs11SignatureAlgorithm, (binding: Pkcs11Binding) => Signing>> = {
  // CKM_ECDSA signs a digest; tokens with CKM_ECDSA_SHA256 are fewer than tokens without.
  'ecdsa-p256-sha256': (binding) => ({
    mechanism: { mechanism: binding.CKM_ECDSA },
    input: (base) => createHash('sha256').update(base).digest(),
    output: (signature) => ecdsaRawSignature(signature, P256_SIZE),
  }),
  'rsa-v1_5-sha256': (binding) => ({
    mechanism: { mechanism: binding.CKM_SHA256_RSA_PKCS },
    input: (base) => base,
    output: (signature) => signature,
  }),
  'rsa-pss-sha512': (binding) => ({
    mechanism: {
      mechanism: binding.CKM_SHA512_RSA_PKCS_PSS,
      parameter: { type: binding.CK_PARAMS_RSA_PSS, hashAlg: binding.CKM_SHA512, mgf: binding.CKG_MGF1_SHA512, saltLen: 64 },
    },
    input: (base) => base,
    output: (signature) => signature,
  }),
};

function acquireModule(binding: Pkcs11Binding, modulePath: string): Pkcs11Module {
  const loaded = loadedModules.get(modulePath);
  if (loaded !== undefined) {
    loaded.users += 1;
    return loaded.module;
  }
  const module = new binding.PKCS11();
  try {
    module.load(modulePath);
  } catch (error) {
    throw new Pkcs11SignerError(Pkcs11SignerErrorCode.ModuleUnavailable, `Cannot load the PKCS#11 module ${modulePath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    module.C_Initialize();
  } catch (error) {
    // Another library of this process (graphene, a second copy of pkcs11js) initialised it: use it, never finalise it.
    if ((error as { code?: number }).code !== binding.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      closeQuietly(() => module.close());
      throw new Pkcs11SignerError(Pkcs11SignerErrorCode.ModuleUnavailable, `Cannot initialise the PKCS#11 module ${modulePath}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  loadedModules.set(modulePath, { module, users: 1 });
  return module;
}

function releaseModule(modulePath: string): void {
  const loaded = loadedModules.get(modulePath);
  if (loaded === undefined) return;
  loaded.users -= 1;
  if (loaded.users > 0) return;
  loadedModules.delete(modulePath);
  closeQuietly(() => loaded.module.C_Finalize());
  closeQuietly(() => loaded.module.close());
}

function findSlot(module: Pkcs11Module, options: Pkcs11SignerOptions): Pkcs11Handle {
  const slots = module.C_GetSlotList(true);
  const slot =
    options.slot !== undefined
      ? slots.find((handle) => slotId(handle) === BigInt(options.slot as number))
      : slots.find((handle) => module.C_GetTokenInfo(handle).label.trimEnd() === options.tokenLabel);
  if (slot === undefined) {
    const wanted = options.slot !== undefined ? `in slot ${options.slot}` : `labelled "${options.tokenLabel}"`;
    throw new Pkcs11SignerError(Pkcs11SignerErrorCode.TokenNotFound, `No token ${wanted} in ${options.modulePath}`);
  }
  return slot;
}

/** A CK_SLOT_ID as the token tools print it (a CK_ULONG: 8 bytes on Linux and macOS, 4 on Windows). */
function slotId(handle: Pkcs11Handle): bigint {
  return handle.length >= 8 ? handle.readBigUInt64LE(0) : BigInt(handle.readUInt32LE(0));
}

function login(binding: Pkcs11Binding, module: Pkcs11Module, session: Pkcs11Handle, pin: string): void {
  try {
    module.C_Login(session, binding.CKU_USER, pin);
  } catch (error) {
    // The login state is per token and process: another signer on the same token already logged in.
    if ((error as { code?: number }).code === binding.CKR_USER_ALREADY_LOGGED_IN) return;
    throw new Pkcs11SignerError(Pkcs11SignerErrorCode.LoginFailed, `The token refused the login: ${(error as Error).message}`, { cause: error });
  }
}

function findPrivateKey(binding: Pkcs11Binding, module: Pkcs11Module, session: Pkcs11Handle, options: Pkcs11SignerOptions): Pkcs11Handle {
  const selector =
    options.keyLabel !== undefined
      ? { type: binding.CKA_LABEL, value: options.keyLabel }
      : { type: binding.CKA_ID, value: typeof options.keyId === 'string' ? Buffer.from(options.keyId, 'hex') : (options.keyId as Buffer) };
  module.C_FindObjectsInit(session, [{ type: binding.CKA_CLASS, value: binding.CKO_PRIVATE_KEY }, selector]);
  let keys: Pkcs11Handle[];
  try {
    keys = module.C_FindObjects(session, 2);
  } finally {
    module.C_FindObjectsFinal(session);
  }
  const name = options.keyLabel !== undefined ? `labelled "${options.keyLabel}"` : `with id ${Buffer.from(selector.value).toString('hex')}`;
  if (keys.length === 0) throw new Pkcs11SignerError(Pkcs11SignerErrorCode.KeyNotFound, `No private key ${name} on the token`);
  if (keys.length > 1) throw new Pkcs11SignerError(Pkcs11SignerErrorCode.KeyNotFound, `More than one private key ${name} on the token: select it by keyId`);
  return keys[0];
}

/** Refuses at opening, not at the first request, a key that cannot make a signature LGSP accepts. */
function checkKey(binding: Pkcs11Binding, module: Pkcs11Module, session: Pkcs11Handle, key: Pkcs11Handle, alg: Pkcs11SignatureAlgorithm): void {
  const [keyType] = module.C_GetAttributeValue(session, key, [{ type: binding.CKA_KEY_TYPE }]);
  const type = (keyType.value as Buffer).length >= 8 ? Number((keyType.value as Buffer).readBigUInt64LE(0)) : (keyType.value as Buffer).readUInt32LE(0);
  if (alg === 'ecdsa-p256-sha256') {
    if (type !== binding.CKK_EC) throw mismatch(alg, 'the key is not an EC key');
    const [params] = module.C_GetAttributeValue(session, key, [{ type: binding.CKA_EC_PARAMS }]);
    if (!P256_EC_PARAMS.equals(params.value as Buffer)) throw mismatch(alg, 'the EC key is not on P-256');
    return;
  }
  if (type !== binding.CKK_RSA) throw mismatch(alg, 'the key is not an RSA key');
  const [modulus] = module.C_GetAttributeValue(session, key, [{ type: binding.CKA_MODULUS }]);
  if ((modulus.value as Buffer).length < MIN_RSA_BYTES) throw mismatch(alg, 'the RSA key is shorter than 2048 bits');
}

function mismatch(alg: Pkcs11SignatureAlgorithm, reason: string): Pkcs11SignerError {
  return new Pkcs11SignerError(Pkcs11SignerErrorCode.KeyMismatch, `The key does not fit ${alg}: ${reason}`);
}

function closeQuietly(close: () => void): void {
  try {
    close();
  } catch {
    // Closing a session or module that the token already dropped: nothing left to release.
  }
}
