// A peer for bench/token/run.sh: node-oidc-provider (npm "oidc-provider", OpenSSL
// through Node's crypto) configured for the same exchange as Gatehouse — client_credentials
// with client_secret_post, a JWT access token for the audience "console-api" with scope
// "email profile", signed with a fresh RSA-2048 (RS256), P-256 (ES256) or Ed25519 (EdDSA) key, lifetime
// 300 s. The provider is installed outside the repository (run.sh: OIDC_PROVIDER_DIR).
//
//   node bench/token/oidc-provider.mjs PORT ALG     (ALG: RS256, ES256 or EdDSA)
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';

const [port, alg] = [Number(process.argv[2] || 18998), process.argv[3] || 'RS256'];
const dir = process.env.OIDC_PROVIDER_DIR;
if (!dir) throw new Error('OIDC_PROVIDER_DIR: the directory where oidc-provider is installed');
const require = createRequire(path.join(dir, 'package.json'));
const { default: Provider } = await import(require.resolve('oidc-provider'));

const pair = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
  : alg === 'EdDSA' ? generateKeyPairSync('ed25519')
  : generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...pair.privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: 'bench' };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: process.env.BENCH_CLIENT_ID || 'bench',
    client_secret: process.env.BENCH_CLIENT_SECRET || 'bench-secret',
    grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: alg, // the only key there is
  }],
  jwks: { keys: [jwk] },
  scopes: ['email', 'profile'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:console-api', // must be an absolute URI; the token's aud is below
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'email profile', audience: 'console-api', accessTokenTTL: 300,
        accessTokenFormat: 'jwt', jwt: { sign: { alg } },
      }),
    },
  },
});
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => console.error(`oidc-provider ${alg} on 127.0.0.1:${port}`));
