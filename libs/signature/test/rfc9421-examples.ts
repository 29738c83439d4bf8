// Test material of RFC 9421 Appendix B (keys B.1, messages B.2) and of the examples in its body.
// These keys are published in the RFC: they sign nothing outside the tests.
import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';

import { type RequestMessage, requestMessage, type ResponseMessage, responseMessage } from '../src';

/** B.1.1 test-key-rsa (PKCS#1). */
export const TEST_KEY_RSA_PUBLIC = `-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAhAKYdtoeoy8zcAcR874L8cnZxKzAGwd7v36APp7Pv6Q2jdsPBRrw
WEBnez6d0UDKDwGbc6nxfEXAy5mbhgajzrw3MOEt8uA5txSKobBpKDeBLOsdJKFq
MGmXCQvEG7YemcxDTRPxAleIAgYYRjTSd/QBwVW9OwNFhekro3RtlinV0a75jfZg
kne/YiktSvLG34lw2zqXBDTC5NHROUqGTlML4PlNZS5Ri2U4aCNx2rUPRcKIlE0P
uKxI4T+HIaFpv8+rdV6eUgOrB2xeI1dSFFn/nnv5OoZJEIB+VmuKn3DCUcCZSFlQ
PSXSfBDiUGhwOw76WuSSsf1D4b/vLoJ10wIDAQAB
-----END RSA PUBLIC KEY-----`;

export const TEST_KEY_RSA_PRIVATE = `-----BEGIN RSA PRIVATE KEY-----
MIIEqAIBAAKCAQEAhAKYdtoeoy8zcAcR874L8cnZxKzAGwd7v36APp7Pv6Q2jdsP
BRrwWEBnez6d0UDKDwGbc6nxfEXAy5mbhgajzrw3MOEt8uA5txSKobBpKDeBLOsd
JKFqMGmXCQvEG7YemcxDTRPxAleIAgYYRjTSd/QBwVW9OwNFhekro3RtlinV0a75
jfZgkne/YiktSvLG34lw2zqXBDTC5NHROUqGTlML4PlNZS5Ri2U4aCNx2rUPRcKI
lE0PuKxI4T+HIaFpv8+rdV6eUgOrB2xeI1dSFFn/nnv5OoZJEIB+VmuKn3DCUcCZ
SFlQPSXSfBDiUGhwOw76WuSSsf1D4b/vLoJ10wIDAQABAoIBAG/JZuSWdoVHbi56
vjgCgkjg3lkO1KrO3nrdm6nrgA9P9qaPjxuKoWaKO1cBQlE1pSWp/cKncYgD5WxE
CpAnRUXG2pG4zdkzCYzAh1i+c34L6oZoHsirK6oNcEnHveydfzJL5934egm6p8DW
+m1RQ70yUt4uRc0YSor+q1LGJvGQHReF0WmJBZHrhz5e63Pq7lE0gIwuBqL8SMaA
yRXtK+JGxZpImTq+NHvEWWCu09SCq0r838ceQI55SvzmTkwqtC+8AT2zFviMZkKR
Qo6SPsrqItxZWRty2izawTF0Bf5S2VAx7O+6t3wBsQ1sLptoSgX3QblELY5asI0J
YFz7LJECgYkAsqeUJmqXE3LP8tYoIjMIAKiTm9o6psPlc8CrLI9CH0UbuaA2JCOM
cCNq8SyYbTqgnWlB9ZfcAm/cFpA8tYci9m5vYK8HNxQr+8FS3Qo8N9RJ8d0U5Csw
DzMYfRghAfUGwmlWj5hp1pQzAuhwbOXFtxKHVsMPhz1IBtF9Y8jvgqgYHLbmyiu1
mwJ5AL0pYF0G7x81prlARURwHo0Yf52kEw1dxpx+JXER7hQRWQki5/NsUEtv+8RT
qn2m6qte5DXLyn83b1qRscSdnCCwKtKWUug5q2ZbwVOCJCtmRwmnP131lWRYfj67
B/xJ1ZA6X3GEf4sNReNAtaucPEelgR2nsN0gKQKBiGoqHWbK1qYvBxX2X3kbPDkv
9C+celgZd2PW7aGYLCHq7nPbmfDV0yHcWjOhXZ8jRMjmANVR/eLQ2EfsRLdW69bn
f3ZD7JS1fwGnO3exGmHO3HZG+6AvberKYVYNHahNFEw5TsAcQWDLRpkGybBcxqZo
81YCqlqidwfeO5YtlO7etx1xLyqa2NsCeG9A86UjG+aeNnXEIDk1PDK+EuiThIUa
/2IxKzJKWl1BKr2d4xAfR0ZnEYuRrbeDQYgTImOlfW6/GuYIxKYgEKCFHFqJATAG
IxHrq1PDOiSwXd2GmVVYyEmhZnbcp8CxaEMQoevxAta0ssMK3w6UsDtvUvYvF22m
qQKBiD5GwESzsFPy3Ga0MvZpn3D6EJQLgsnrtUPZx+z2Ep2x0xc5orneB5fGyF1P
WtP+fG5Q6Dpdz3LRfm+KwBCWFKQjg7uTxcjerhBWEYPmEMKYwTJF5PBG9/ddvHLQ
EQeNC8fHGg4UXU8mhHnSBt3EA10qQJfRDs15M38eG2cYwB1PZpDHScDnDA0=
-----END RSA PRIVATE KEY-----`;

/** B.1.2 test-key-rsa-pss (the private key is PKCS#8 with the RSASSA-PSS OID). */
export const TEST_KEY_RSA_PSS_PUBLIC = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4tmm3r20Wd/PbqvP1s2
+QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry53mm+
oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHq
gDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUAAN5W
Utzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4
aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oyc6XI
2wIDAQAB
-----END PUBLIC KEY-----`;

export const TEST_KEY_RSA_PSS_PRIVATE = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADALBgkqhkiG9w0BAQoEggSqMIIEpgIBAAKCAQEAr4tmm3r20Wd/Pbqv
P1s2+QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry5
3mm+oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7Oyr
FAHqgDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUA
AN5WUtzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw
9lq4aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oy
c6XI2wIDAQABAoIBAQCUB8ip+kJiiZVKF8AqfB/aUP0jTAqOQewK1kKJ/iQCXBCq
pbo360gvdt05H5VZ/RDVkEgO2k73VSsbulqezKs8RFs2tEmU+JgTI9MeQJPWcP6X
aKy6LIYs0E2cWgp8GADgoBs8llBq0UhX0KffglIeek3n7Z6Gt4YFge2TAcW2WbN4
XfK7lupFyo6HHyWRiYHMMARQXLJeOSdTn5aMBP0PO4bQyk5ORxTUSeOciPJUFktQ
HkvGbym7KryEfwH8Tks0L7WhzyP60PL3xS9FNOJi9m+zztwYIXGDQuKM2GDsITeD
2mI2oHoPMyAD0wdI7BwSVW18p1h+jgfc4dlexKYRAoGBAOVfuiEiOchGghV5vn5N
RDNscAFnpHj1QgMr6/UG05RTgmcLfVsI1I4bSkbrIuVKviGGf7atlkROALOG/xRx
DLadgBEeNyHL5lz6ihQaFJLVQ0u3U4SB67J0YtVO3R6lXcIjBDHuY8SjYJ7Ci6Z6
vuDcoaEujnlrtUhaMxvSfcUJAoGBAMPsCHXte1uWNAqYad2WdLjPDlKtQJK1diCm
rqmB2g8QE99hDOHItjDBEdpyFBKOIP+NpVtM2KLhRajjcL9Ph8jrID6XUqikQuVi
4J9FV2m42jXMuioTT13idAILanYg8D3idvy/3isDVkON0X3UAVKrgMEne0hJpkPL
FYqgetvDAoGBAKLQ6JZMbSe0pPIJkSamQhsehgL5Rs51iX4m1z7+sYFAJfhvN3Q/
OGIHDRp6HjMUcxHpHw7U+S1TETxePwKLnLKj6hw8jnX2/nZRgWHzgVcY+sPsReRx
NJVf+Cfh6yOtznfX00p+JWOXdSY8glSSHJwRAMog+hFGW1AYdt7w80XBAoGBAImR
NUugqapgaEA8TrFxkJmngXYaAqpA0iYRA7kv3S4QavPBUGtFJHBNULzitydkNtVZ
3w6hgce0h9YThTo/nKc+OZDZbgfN9s7cQ75x0PQCAO4fx2P91Q+mDzDUVTeG30mE
t2m3S0dGe47JiJxifV9P3wNBNrZGSIF3mrORBVNDAoGBAI0QKn2Iv7Sgo4T/XjND
dl2kZTXqGAk8dOhpUiw/HdM3OGWbhHj2NdCzBliOmPyQtAr770GITWvbAI+IRYyF
S7Fnk6ZVVVHsxjtaHy1uJGFlaZzKR4AGNaUTOJMs6NadzCmGPAxNQQOCqoUjn4XR
rOjr9w349JooGXhOxbu8nOxX
-----END PRIVATE KEY-----`;

/** B.1.3 test-key-ecc-p256. */
export const TEST_KEY_ECC_P256_PUBLIC = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lf
w0EkjqF7xB4FivAxzic30tMM4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==
-----END PUBLIC KEY-----`;

export const TEST_KEY_ECC_P256_PRIVATE = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIFKbhfNZfpDsW43+0+JjUr9K+bTeuxopu653+hBaXGA7oAoGCCqGSM49
AwEHoUQDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lfw0EkjqF7xB4FivAxzic30tMM
4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==
-----END EC PRIVATE KEY-----`;

/** B.1.4 test-key-ed25519. */
export const TEST_KEY_ED25519_PUBLIC = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----`;

export const TEST_KEY_ED25519_PRIVATE = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----`;

/** B.1.5 test-shared-secret (64 bytes, base64). */
export const TEST_SHARED_SECRET = 'uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==';

export interface TestKey {
  readonly keyid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export const TEST_KEYS = {
  rsa: { keyid: 'test-key-rsa', privateKey: createPrivateKey(TEST_KEY_RSA_PRIVATE), publicKey: createPublicKey(TEST_KEY_RSA_PUBLIC) },
  rsaPss: { keyid: 'test-key-rsa-pss', privateKey: createPrivateKey(TEST_KEY_RSA_PSS_PRIVATE), publicKey: createPublicKey(TEST_KEY_RSA_PSS_PUBLIC) },
  eccP256: { keyid: 'test-key-ecc-p256', privateKey: createPrivateKey(TEST_KEY_ECC_P256_PRIVATE), publicKey: createPublicKey(TEST_KEY_ECC_P256_PUBLIC) },
  ed25519: { keyid: 'test-key-ed25519', privateKey: createPrivateKey(TEST_KEY_ED25519_PRIVATE), publicKey: createPublicKey(TEST_KEY_ED25519_PUBLIC) },
  sharedSecret: {
    keyid: 'test-shared-secret',
    privateKey: createSecretKey(Buffer.from(TEST_SHARED_SECRET, 'base64')),
    publicKey: createSecretKey(Buffer.from(TEST_SHARED_SECRET, 'base64')),
  },
} satisfies Record<string, TestKey>;

/** The `created` of the Appendix B.2 examples: 2021-04-20T02:07:53Z. */
export const B2_CREATED = 1618884473;

export const REQUEST_CONTENT_DIGEST = 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:';
export const RESPONSE_CONTENT_DIGEST = 'sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:';

/** B.2 test-request, with extra header fields (a signature under test, say). */
export function testRequest(extra: Record<string, string> = {}): RequestMessage {
  return requestMessage({
    method: 'POST',
    url: 'https://example.com/foo?param=Value&Pet=dog',
    headers: {
      Host: 'example.com',
      Date: 'Tue, 20 Apr 2021 02:07:55 GMT',
      'Content-Type': 'application/json',
      'Content-Digest': REQUEST_CONTENT_DIGEST,
      'Content-Length': '18',
      ...extra,
    },
  });
}

export const TEST_REQUEST_BODY = Buffer.from('{"hello": "world"}');

/** B.2 test-response. */
export function testResponse(extra: Record<string, string> = {}, request?: RequestMessage): ResponseMessage {
  return responseMessage(
    {
      status: 200,
      headers: {
        Date: 'Tue, 20 Apr 2021 02:07:56 GMT',
        'Content-Type': 'application/json',
        'Content-Digest': RESPONSE_CONTENT_DIGEST,
        'Content-Length': '23',
        ...extra,
      },
    },
    request,
  );
}

export const TEST_RESPONSE_BODY = Buffer.from('{"message": "good dog"}');

/** One RFC example: the signature fields, the base they sign, the key, and whether the algorithm is deterministic. */
export interface SignatureExample {
  readonly name: string;
  readonly label: string;
  readonly signatureInput: string;
  readonly signature: string;
  readonly base: string;
  readonly key: TestKey;
  readonly alg: 'rsa-pss-sha512' | 'rsa-v1_5-sha256' | 'ecdsa-p256-sha256' | 'ed25519' | 'hmac-sha256';
  readonly deterministic: boolean;
  readonly message: (extra: Record<string, string>) => RequestMessage | ResponseMessage;
  /** The seconds the verifier's clock is set to. */
  readonly now: number;
  /** Header fields that change a covered component (none when nothing is covered). */
  readonly tamper?: Record<string, string>;
}

const sig = (label: string, value: string): string => `${label}=:${value}:`;

export const APPENDIX_B2: readonly SignatureExample[] = [
  {
    name: 'B.2.1 minimal signature using rsa-pss-sha512',
    label: 'sig-b21',
    signatureInput: 'sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"',
    signature: sig(
      'sig-b21',
      'd2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==',
    ),
    base: '"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"',
    key: TEST_KEYS.rsaPss,
    alg: 'rsa-pss-sha512',
    deterministic: false,
    message: testRequest,
    now: B2_CREATED,
  },
  {
    name: 'B.2.2 selective covered components using rsa-pss-sha512',
    tamper: { 'Content-Digest': 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:' },
    label: 'sig-b22',
    signatureInput: 'sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"',
    signature: sig(
      'sig-b22',
      'LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQEdJzgI9qHxICagShLRiLMlAJjtq6N4CDfKtjvuJyE5qH7KT8UCMkSowOB4+ECxCmT8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1rLEuEfY17SARYhpTlaqwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd4je2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosMTAoxk//0RoKUqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHSw==',
    ),
    base: [
      '"@authority": example.com',
      `"content-digest": ${REQUEST_CONTENT_DIGEST}`,
      '"@query-param";name="Pet": dog',
      '"@signature-params": ("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"',
    ].join('\n'),
    key: TEST_KEYS.rsaPss,
    alg: 'rsa-pss-sha512',
    deterministic: false,
    message: testRequest,
    now: B2_CREATED,
  },
  {
    name: 'B.2.3 full coverage using rsa-pss-sha512',
    tamper: { Date: 'Wed, 21 Apr 2021 02:07:55 GMT' },
    label: 'sig-b23',
    signatureInput:
      'sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"',
    signature: sig(
      'sig-b23',
      'bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==',
    ),
    base: [
      '"date": Tue, 20 Apr 2021 02:07:55 GMT',
      '"@method": POST',
      '"@path": /foo',
      '"@query": ?param=Value&Pet=dog',
      '"@authority": example.com',
      '"content-type": application/json',
      `"content-digest": ${REQUEST_CONTENT_DIGEST}`,
      '"content-length": 18',
      '"@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"',
    ].join('\n'),
    key: TEST_KEYS.rsaPss,
    alg: 'rsa-pss-sha512',
    deterministic: false,
    message: testRequest,
    now: B2_CREATED,
  },
  {
    name: 'B.2.4 signing a response using ecdsa-p256-sha256',
    tamper: { 'Content-Length': '24' },
    label: 'sig-b24',
    signatureInput: 'sig-b24=("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256"',
    signature: sig('sig-b24', 'wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw=='),
    base: [
      '"@status": 200',
      '"content-type": application/json',
      `"content-digest": ${RESPONSE_CONTENT_DIGEST}`,
      '"content-length": 23',
      '"@signature-params": ("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256"',
    ].join('\n'),
    key: TEST_KEYS.eccP256,
    alg: 'ecdsa-p256-sha256',
    deterministic: false,
    message: (extra) => testResponse(extra),
    now: B2_CREATED,
  },
  {
    name: 'B.2.5 signing a request using hmac-sha256',
    tamper: { 'Content-Type': 'application/json; charset=utf-16' },
    label: 'sig-b25',
    signatureInput: 'sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
    signature: sig('sig-b25', 'pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8='),
    base: [
      '"date": Tue, 20 Apr 2021 02:07:55 GMT',
      '"@authority": example.com',
      '"content-type": application/json',
      '"@signature-params": ("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
    ].join('\n'),
    key: TEST_KEYS.sharedSecret,
    alg: 'hmac-sha256',
    deterministic: true,
    message: testRequest,
    now: B2_CREATED,
  },
  {
    name: 'B.2.6 signing a request using ed25519',
    tamper: { 'Content-Length': '19' },
    label: 'sig-b26',
    signatureInput: 'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
    signature: sig('sig-b26', 'wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw=='),
    base: [
      '"date": Tue, 20 Apr 2021 02:07:55 GMT',
      '"@method": POST',
      '"@path": /foo',
      '"@authority": example.com',
      '"content-type": application/json',
      '"content-length": 18',
      '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
    ].join('\n'),
    key: TEST_KEYS.ed25519,
    alg: 'ed25519',
    deterministic: true,
    message: testRequest,
    now: B2_CREATED,
  },
];

/** §4.3: a proxy's rsa-v1_5-sha256 signature over the forwarded request (deterministic). */
export const SECTION_4_3_PROXY: SignatureExample = {
  name: '§4.3 proxy signature using rsa-v1_5-sha256',
  tamper: { Forwarded: 'for=192.0.2.124;host=example.com;proto=https' },
  label: 'proxy_sig',
  signatureInput:
    'proxy_sig=("@method" "@authority" "@path" "content-digest" "content-type" "content-length" "forwarded");created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256";expires=1618884540',
  signature: sig(
    'proxy_sig',
    'S6ZzPXSdAMOPjN/6KXfXWNO/f7V6cHm7BXYUh3YD/fRad4BCaRZxP+JH+8XY1I6+8Cy+CM5g92iHgxtRPz+MjniOaYmdkDcnL9cCpXJleXsOckpURl49GwiyUpZ10KHgOEe11sx3G2gxI8S0jnxQB+Pu68U9vVcasqOWAEObtNKKZd8tSFu7LB5YAv0RAGhB8tmpv7sFnIm9y+7X5kXQfi8NMaZaA8i2ZHwpBdg7a6CMfwnnrtflzvZdXAsD3LH2TwevU+/PBPv0B6NMNk93wUs/vfJvye+YuI87HU38lZHowtznbLVdp770I6VHR6WfgS9ddzirrswsE1w5o0LV/g==',
  ),
  base: [
    '"@method": POST',
    '"@authority": origin.host.internal.example',
    '"@path": /foo',
    `"content-digest": ${REQUEST_CONTENT_DIGEST}`,
    '"content-type": application/json',
    '"content-length": 18',
    '"forwarded": for=192.0.2.123;host=example.com;proto=https',
    '"@signature-params": ("@method" "@authority" "@path" "content-digest" "content-type" "content-length" "forwarded");created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256";expires=1618884540',
  ].join('\n'),
  key: TEST_KEYS.rsa,
  alg: 'rsa-v1_5-sha256',
  deterministic: true,
  message: (extra) =>
    requestMessage({
      method: 'POST',
      url: 'https://origin.host.internal.example/foo?param=Value&Pet=dog',
      headers: {
        Host: 'origin.host.internal.example',
        Date: 'Tue, 20 Apr 2021 02:07:56 GMT',
        'Content-Type': 'application/json',
        'Content-Length': '18',
        Forwarded: 'for=192.0.2.123;host=example.com;proto=https',
        'Content-Digest': REQUEST_CONTENT_DIGEST,
        ...extra,
      },
    }),
  now: 1618884500,
};

/** §2.4: the request signature a response signature covers with `"signature";req;key="sig1"`. */
export const SECTION_2_4_REQUEST_SIGNATURE =
  'sig1=:LAH8BjcfcOcLojiuOBFWn0P5keD3xAOuJRGziCLuD8r5MW9S0RoXXLzLSRfGY/3SF8kVIkHjE13SEFdTo4Af/fJ/Pu9wheqoLVdwXyY/UkBIS1M8Brc8IODsn5DFIrG0IrburbLi0uCc+E2ZIIb6HbUJ+o+jP58JelMTe0QE3IpWINTEzpxjqDf5/Df+InHCAkQCTuKsamjWXUpyOT1Wkxi7YPVNOjW4MfNuTZ9HdbD2Tr65+BXeTG9ZS/9SWuXAc+BZ8WyPz0QRz//ec3uWXd7bYYODSjRAxHqX+S1ag3LZElYyUKaAIjZ8MGOt4gXEwCSLDv/zqxZeWLj/PDkn6w==:';

/** §2.4: a 503 response bound to its request's signature, signed with ecdsa-p256-sha256. */
export const SECTION_2_4_RESPONSE: SignatureExample = {
  name: '§2.4 a response covering its request\'s signature ("signature";req;key="sig1")',
  tamper: { 'Content-Length': '63' },
  label: 'reqres',
  signatureInput:
    'reqres=("@status" "content-length" "content-type" "signature";req;key="sig1" "@authority";req "@method";req);created=1618884479;keyid="test-key-ecc-p256"',
  signature: sig('reqres', 'mh17P4TbYYBmBwsXPT4nsyVzW4Rp9Fb8WcvnfqKCQLoMvzOBLD/n32tL/GPW6XE5GAS5bdsg1khK6lBzV1Cx/Q=='),
  base: [
    '"@status": 503',
    '"content-length": 62',
    '"content-type": application/json',
    `"signature";req;key="sig1": ${SECTION_2_4_REQUEST_SIGNATURE.slice('sig1='.length)}`,
    '"@authority";req: example.com',
    '"@method";req: POST',
    '"@signature-params": ("@status" "content-length" "content-type" "signature";req;key="sig1" "@authority";req "@method";req);created=1618884479;keyid="test-key-ecc-p256"',
  ].join('\n'),
  key: TEST_KEYS.eccP256,
  alg: 'ecdsa-p256-sha256',
  deterministic: false,
  message: (extra) =>
    responseMessage(
      { status: 503, headers: { Date: 'Tue, 20 Apr 2021 02:07:56 GMT', 'Content-Type': 'application/json', 'Content-Length': '62', ...extra } },
      testRequest({ Signature: SECTION_2_4_REQUEST_SIGNATURE }),
    ),
  now: 1618884480,
};

/** B.4: an ed25519 signature over a GET with two Accept lines (deterministic), and messages it still covers or not. */
export const B4_TRANSFORM = {
  signatureInput: 'transform=("@method" "@path" "@authority" "accept");created=1618884473;keyid="test-key-ed25519"',
  signature: sig('transform', 'ZT1kooQsEHpZ0I1IjCqtQppOmIqlJPeo7DHR3SoMn0s5JZ1eRGS0A+vyYP9t/LXlh5QMFFQ6cpLt2m0pmj3NDA=='),
  base: [
    '"@method": GET',
    '"@path": /demo',
    '"@authority": example.org',
    '"accept": application/json, */*',
    '"@signature-params": ("@method" "@path" "@authority" "accept");created=1618884473;keyid="test-key-ed25519"',
  ].join('\n'),
};

/** B.3: a TLS-terminating proxy signs the Client-Cert field it adds (ecdsa-p256-sha256). */
export const B3_CLIENT_CERT =
  ':MIIBqDCCAU6gAwIBAgIBBzAKBggqhkjOPQQDAjA6MRswGQYDVQQKDBJMZXQncyBBdXRoZW50aWNhdGUxGzAZBgNVBAMMEkxBIEludGVybWVkaWF0ZSBDQTAeFw0yMDAxMTQyMjU1MzNaFw0yMTAxMjMyMjU1MzNaMA0xCzAJBgNVBAMMAkJDMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8YnXXfaUgmnMtOXU/IncWalRhebrXmckC8vdgJ1p5Be5F/3YC8OthxM4+k1M6aEAEFcGzkJiNy6J84y7uzo9M6NyMHAwCQYDVR0TBAIwADAfBgNVHSMEGDAWgBRm3WjLa38lbEYCuiCPct0ZaSED2DAOBgNVHQ8BAf8EBAMCBsAwEwYDVR0lBAwwCgYIKwYBBQUHAwIwHQYDVR0RAQH/BBMwEYEPYmRjQGV4YW1wbGUuY29tMAoGCCqGSM49BAMCA0gAMEUCIBHda/r1vaL6G3VliL4/Di6YK0Q6bMjeSkC3dFCOOB8TAiEAx/kHSB4urmiZ0NX5r5XarmPk0wmuydBVoU4hBVZ1yhk=:';

export const B3_TTRP: SignatureExample = {
  name: 'B.3 TLS-terminating proxy signing Client-Cert using ecdsa-p256-sha256',
  tamper: { 'Client-Cert': ':AAAA:' },
  label: 'ttrp',
  signatureInput: 'ttrp=("@path" "@query" "@method" "@authority" "client-cert");created=1618884473;keyid="test-key-ecc-p256"',
  signature: sig('ttrp', 'xVMHVpawaAC/0SbHrKRs9i8I3eOs5RtTMGCWXm/9nvZzoHsIg6Mce9315T6xoklyy0yzhD9ah4JHRwMLOgmizw=='),
  base: [
    '"@path": /foo',
    '"@query": ?param=Value&Pet=dog',
    '"@method": POST',
    '"@authority": service.internal.example',
    `"client-cert": ${B3_CLIENT_CERT}`,
    '"@signature-params": ("@path" "@query" "@method" "@authority" "client-cert");created=1618884473;keyid="test-key-ecc-p256"',
  ].join('\n'),
  key: TEST_KEYS.eccP256,
  alg: 'ecdsa-p256-sha256',
  deterministic: false,
  message: (extra) =>
    requestMessage({
      method: 'POST',
      url: 'https://service.internal.example/foo?param=Value&Pet=dog',
      headers: {
        Host: 'service.internal.example',
        Date: 'Tue, 20 Apr 2021 02:07:55 GMT',
        'Content-Type': 'application/json',
        'Content-Length': '18',
        'Client-Cert': B3_CLIENT_CERT,
        ...extra,
      },
    }),
  now: B2_CREATED,
};

const TEST_REQUEST_COMPONENTS = '("@method" "@authority" "@path" "content-digest" "content-length" "content-type")';

/** §2.5 and §3.2: the signature of test-request the body of the RFC builds step by step (rsa-pss-sha512). */
export const SECTION_2_5_REQUEST: SignatureExample = {
  name: '§2.5 the signature base example, signed using rsa-pss-sha512',
  label: 'sig1',
  signatureInput: `sig1=${TEST_REQUEST_COMPONENTS};created=1618884473;keyid="test-key-rsa-pss"`,
  signature: sig(
    'sig1',
    'HIbjHC5rS0BYaa9v4QfD4193TORw7u9edguPh0AW3dMq9WImrlFrCGUDih47vAxi4L2YRZ3XMJc1uOKk/J0ZmZ+wcta4nKIgBkKq0rM9hs3CQyxXGxHLMCy8uqK488o+9jrptQ+xFPHK7a9sRL1IXNaagCNN3ZxJsYapFj+JXbmaI5rtAdSfSvzPuBCh+ARHBmWuNo1UzVVdHXrl8ePL4cccqlazIJdC4QEjrF+Sn4IxBQzTZsL9y9TP5FsZYzHvDqbInkTNigBcE9cKOYNFCn4D/WM7F6TNuZO9EgtzepLWcjTymlHzK7aXq6Am6sfOrpIC49yXjj3ae6HRalVc/g==',
  ),
  base: [
    '"@method": POST',
    '"@authority": example.com',
    '"@path": /foo',
    `"content-digest": ${REQUEST_CONTENT_DIGEST}`,
    '"content-length": 18',
    '"content-type": application/json',
    `"@signature-params": ${TEST_REQUEST_COMPONENTS};created=1618884473;keyid="test-key-rsa-pss"`,
  ].join('\n'),
  key: TEST_KEYS.rsaPss,
  alg: 'rsa-pss-sha512',
  deterministic: false,
  message: testRequest,
  now: B2_CREATED,
  tamper: { 'Content-Length': '17' },
};

/** §4.3: the client's own signature beside the proxy's (ecdsa-p256-sha256). */
export const SECTION_4_3_CLIENT: SignatureExample = {
  name: "§4.3 the client's signature using ecdsa-p256-sha256",
  label: 'sig1',
  signatureInput: 'sig1=("@method" "@authority" "@path" "content-digest" "content-type" "content-length");created=1618884475;keyid="test-key-ecc-p256"',
  signature: sig('sig1', 'X5spyd6CFnAG5QnDyHfqoSNICd+BUP4LYMz2Q0JXlb//4Ijpzp+kve2w4NIyqeAuM7jTDX+sNalzA8ESSaHD3A=='),
  base: [
    '"@method": POST',
    '"@authority": example.com',
    '"@path": /foo',
    `"content-digest": ${REQUEST_CONTENT_DIGEST}`,
    '"content-type": application/json',
    '"content-length": 18',
    '"@signature-params": ("@method" "@authority" "@path" "content-digest" "content-type" "content-length");created=1618884475;keyid="test-key-ecc-p256"',
  ].join('\n'),
  key: TEST_KEYS.eccP256,
  alg: 'ecdsa-p256-sha256',
  deterministic: false,
  message: testRequest,
  now: 1618884475,
  tamper: { 'Content-Type': 'text/plain' },
};
