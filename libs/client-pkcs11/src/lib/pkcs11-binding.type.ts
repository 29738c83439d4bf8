/**
 * The part of `pkcs11js` this library uses, declared here so that the workspace typechecks on a
 * machine where the optional package did not install.
 */
export type Pkcs11Handle = Buffer;

export interface Pkcs11Attribute {
  readonly type: number;
  value?: number | boolean | string | Buffer;
}

export interface Pkcs11Mechanism {
  readonly mechanism: number;
  readonly parameter?: Buffer | { readonly type: number; readonly hashAlg: number; readonly mgf: number; readonly saltLen: number };
}

export interface Pkcs11Module {
  load(path: string): void;
  close(): void;
  C_Initialize(): void;
  C_Finalize(): void;
  C_GetSlotList(tokenPresent?: boolean): Pkcs11Handle[];
  C_GetTokenInfo(slot: Pkcs11Handle): { readonly label: string };
  C_OpenSession(slot: Pkcs11Handle, flags: number): Pkcs11Handle;
  C_CloseSession(session: Pkcs11Handle): void;
  C_Login(session: Pkcs11Handle, userType: number, pin?: string): void;
  C_FindObjectsInit(session: Pkcs11Handle, template: Pkcs11Attribute[]): void;
  C_FindObjects(session: Pkcs11Handle, maxObjectCount: number): Pkcs11Handle[];
  C_FindObjectsFinal(session: Pkcs11Handle): void;
  C_GetAttributeValue(session: Pkcs11Handle, object: Pkcs11Handle, template: Pkcs11Attribute[]): Pkcs11Attribute[];
  C_SignInit(session: Pkcs11Handle, mechanism: Pkcs11Mechanism, key: Pkcs11Handle): void;
  C_SignAsync(session: Pkcs11Handle, data: Buffer, out: Buffer): Promise<Buffer>;
}

/** The constants of the binding used here (pkcs11js exports every PKCS#11 constant by its name). */
export const PKCS11_CONSTANTS = [
  'CKF_SERIAL_SESSION',
  'CKU_USER',
  'CKO_PRIVATE_KEY',
  'CKA_CLASS',
  'CKA_LABEL',
  'CKA_ID',
  'CKA_KEY_TYPE',
  'CKA_EC_PARAMS',
  'CKA_MODULUS',
  'CKK_RSA',
  'CKK_EC',
  'CKM_ECDSA',
  'CKM_SHA256_RSA_PKCS',
  'CKM_SHA512_RSA_PKCS_PSS',
  'CKM_SHA512',
  'CKG_MGF1_SHA512',
  'CK_PARAMS_RSA_PSS',
  'CKR_CRYPTOKI_ALREADY_INITIALIZED',
  'CKR_USER_ALREADY_LOGGED_IN',
] as const;

export type Pkcs11Constant = (typeof PKCS11_CONSTANTS)[number];

export type Pkcs11Binding = Readonly<Record<Pkcs11Constant, number>> & {
  readonly PKCS11: new () => Pkcs11Module;
};
