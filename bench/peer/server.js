// The peer of castellan-bench: panva's certified oidc-provider, configured for the work it can
// share with Castellan's ZITADEL scenarios (client credentials tokens, introspection, userinfo
// with an access token). Started by `castellan-bench zitadel`; not a product.
//
// Usage: node server.js PORT
// Prints one JSON line on stdout once it listens: the clients, their secrets and an access token
// for userinfo. Storage is the Map adapter below: everything is kept in memory, nothing is
// durable (unlike Castellan, whose every grant is an fsynced ledger append). oidc-provider's own
// development adapter is an LRU of 1,000 entries, which a load test overflows within a second.
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 0);
const issuer = `http://localhost:${port}`;
const secret = (n) => randomBytes(n).toString('base64url');
const robotSecret = secret(32);
const apiSecret = secret(32);
const webSecret = secret(32);

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signing = { ...privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'RS256', use: 'sig' };

// All models' entries, by model name then id; expiry is not enforced (the runs are short).
const stores = new Map();
class MapAdapter {
  constructor(name) {
    if (!stores.has(name)) stores.set(name, new Map());
    this.items = stores.get(name);
  }

  async upsert(id, payload) { this.items.set(id, payload); }

  async find(id) { return this.items.get(id); }

  async findByUid(uid) { return [...this.items.values()].find((p) => p.uid === uid); }

  async findByUserCode(userCode) { return [...this.items.values()].find((p) => p.userCode === userCode); }

  async consume(id) {
    const payload = this.items.get(id);
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) { this.items.delete(id); }

  async revokeByGrantId(grantId) {
    for (const items of stores.values()) {
      for (const [id, payload] of items) if (payload.grantId === grantId) items.delete(id);
    }
  }
}

const accounts = new Map([
  ['bench-ada', { sub: 'bench-ada', given_name: 'Bench', family_name: 'Ada', name: 'Bench Ada', email: 'bench-ada@bench.example.com', email_verified: true }],
]);

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  clients: [
    { client_id: 'bench-robot', client_secret: robotSecret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] },
    { client_id: 'bench-api', client_secret: apiSecret, grant_types: [], redirect_uris: [], response_types: [] },
    { client_id: 'bench-web', client_secret: webSecret, grant_types: ['authorization_code'], redirect_uris: ['https://rp.bench.example/cb'], response_types: ['code'] },
  ],
  jwks: { keys: [signing] },
  cookies: { keys: [secret(32)] },
  ttl: { AccessToken: 3600, ClientCredentials: 600, Grant: 86400 },
  claims: { openid: ['sub'], profile: ['given_name', 'family_name', 'name'], email: ['email', 'email_verified'] },
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async () => true },
    devInteractions: { enabled: false },
  },
  async findAccount(_ctx, sub) {
    const account = accounts.get(sub);
    return account && { accountId: sub, claims: async () => account };
  },
});
provider.proxy = true;

// The access token a login would have produced: a grant of openid/profile/email for bench-web.
const grant = new provider.Grant({ accountId: 'bench-ada', clientId: 'bench-web' });
grant.addOIDCScope('openid profile email');
const grantId = await grant.save();
const client = await provider.Client.find('bench-web');
const accessToken = new provider.AccessToken({ accountId: 'bench-ada', client, grantId, scope: 'openid profile email', gty: 'authorization_code' });
const userinfoToken = await accessToken.save();

const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({
    port: server.address().port,
    issuer,
    robot: { id: 'bench-robot', secret: robotSecret },
    api: { id: 'bench-api', secret: apiSecret },
    userinfoToken,
    version: process.version,
  })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
