import { ConfigError } from './config.error';
import { loadConfig } from './lgsp-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv/lgsp');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: the public listener, its network and its guard', () => {
  it('defaults: plain HTTP on loopback, no trusted proxy, nobody in the Party-WAN zone, the flood limits', () => {
    const config = loadConfig({}, '/srv/lgsp');
    expect(config.tls).toBeUndefined();
    expect(config.network).toEqual({ trustedProxies: [], wanCidrs: [] });
    expect(config.guard).toEqual({ perIpPerSecond: 200, maxInFlight: 2000 });
    expect(config.listener).toEqual({ maxHeaderBytes: 16384, maxConnections: 10000, clientTimeoutMs: 10000, headersTimeoutMs: 5000, keepAliveTimeoutMs: 72000 });
  });

  it('reads TLS files relative to the working directory and serves https:// by default', () => {
    const config = loadConfig({ LGSP_HOST: '0.0.0.0', LGSP_PORT: '8443', LGSP_TLS_CERT: 'tls/cert.pem', LGSP_TLS_KEY: '/etc/lgsp/key.pem', LGSP_TLS_CLIENT_CA: 'tls/ca.pem' }, '/srv/lgsp');
    expect(config.tls).toEqual({ certFile: '/srv/lgsp/tls/cert.pem', keyFile: '/etc/lgsp/key.pem', clientCaFile: '/srv/lgsp/tls/ca.pem' });
    // Off loopback without LGSP_ALLOW_PLAIN_HTTP: allowed, since nothing is served in plain HTTP.
    expect(config.publicUrl).toBe('https://0.0.0.0:8443');
    expect(loadConfig({ LGSP_TLS_CERT: 'c.pem', LGSP_TLS_KEY: 'k.pem', LGSP_PUBLIC_URL: 'https://api.lgsp.gov.vn' }).publicUrl).toBe('https://api.lgsp.gov.vn');
  });

  it('reads the trusted proxies and the WAN as ranges, IPv4 and IPv6', () => {
    const config = loadConfig({ LGSP_TRUSTED_PROXIES: '10.0.0.5, 2001:db8::/64', LGSP_WAN_CIDRS: '10.20.0.0/16,172.16.0.0/12' });
    expect(config.network.trustedProxies).toEqual([
      { address: '10.0.0.5', prefix: 32, family: 'ipv4' },
      { address: '2001:db8::', prefix: 64, family: 'ipv6' },
    ]);
    expect(config.network.wanCidrs.map((r) => `${r.address}/${r.prefix}`)).toEqual(['10.20.0.0/16', '172.16.0.0/12']);
  });

  it.each([
    [{ LGSP_TLS_CERT: 'cert.pem' }, /^LGSP_TLS_KEY: is required with LGSP_TLS_CERT/],
    [{ LGSP_TLS_KEY: 'key.pem' }, /^LGSP_TLS_CERT: is required with LGSP_TLS_KEY/],
    [{ LGSP_TLS_CLIENT_CA: 'ca.pem' }, /^LGSP_TLS_CLIENT_CA: client certificates are asked for in the TLS handshake/],
    [{ LGSP_HOST: '0.0.0.0', LGSP_TLS_CLIENT_CA: 'ca.pem' }, /^LGSP_TLS_CLIENT_CA:/],
    [{ LGSP_TRUSTED_PROXIES: '10.0.0.0/8, lb.internal' }, /^LGSP_TRUSTED_PROXIES: must be IP addresses or CIDR blocks .* \(not: lb\.internal\)$/],
    [{ LGSP_WAN_CIDRS: '10.20.0.0/33' }, /^LGSP_WAN_CIDRS: .*\(not: 10\.20\.0\.0\/33\)$/],
    [{ LGSP_GUARD_PER_IP_PER_SECOND: '-1' }, /^LGSP_GUARD_PER_IP_PER_SECOND: must not be less than 0/],
    [{ LGSP_GUARD_MAX_IN_FLIGHT: '0' }, /^LGSP_GUARD_MAX_IN_FLIGHT: must not be less than 1/],
    [{ LGSP_MAX_HEADER_BYTES: '100' }, /^LGSP_MAX_HEADER_BYTES: must not be less than 1024/],
    [{ LGSP_MAX_CONNECTIONS: 'many' }, /^LGSP_MAX_CONNECTIONS: must be an integer number/],
    [{ LGSP_CLIENT_TIMEOUT_MS: '3000' }, /^LGSP_CLIENT_HEADERS_TIMEOUT_MS: must not exceed LGSP_CLIENT_TIMEOUT_MS \(3000\)/],
  ])('refuses %j naming the variable', (env, pattern) => {
    expect(problemsOf(env)).toContainEqual(expect.stringMatching(pattern));
  });

  it('still refuses plain HTTP off loopback without TLS, and warns when it is allowed without trusted proxies', () => {
    expect(problemsOf({ LGSP_HOST: '0.0.0.0' })).toContainEqual(expect.stringMatching(/^LGSP_ALLOW_PLAIN_HTTP:/));
    expect(loadConfig({ LGSP_HOST: '0.0.0.0', LGSP_ALLOW_PLAIN_HTTP: 'true' }).warnings).toContainEqual(expect.stringMatching(/^LGSP_TRUSTED_PROXIES: unset behind a TLS-terminating load balancer/));
    expect(loadConfig({ LGSP_HOST: '0.0.0.0', LGSP_ALLOW_PLAIN_HTTP: 'true', LGSP_TRUSTED_PROXIES: '10.0.0.0/8' }).warnings).toEqual([]);
    expect(loadConfig({ LGSP_ALLOW_PLAIN_HTTP: 'true' }).warnings).toEqual([]);
  });
});
