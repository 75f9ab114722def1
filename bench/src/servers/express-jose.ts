// Baseline: an Express 5 route that verifies a bearer JWT with jose (the tenant's public key from
// its JWKS, fetched once at start; issuer, audience and typ checked) and answers who the caller
// is — the least a protected endpoint does. JWKS_URL, ISSUER and AUDIENCE come from the caller.
import express from 'express';
import { createLocalJWKSet, jwtVerify } from 'jose';

const jwks = createLocalJWKSet((await (await fetch(process.env.JWKS_URL!)).json()) as never);
const app = express();
app.get('/whoami', async (req, res) => {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  try {
    if (!token) throw new Error('no token');
    const { payload } = await jwtVerify(token, jwks, { issuer: process.env.ISSUER, audience: process.env.AUDIENCE, typ: 'at+jwt', algorithms: ['EdDSA', 'ES256'] });
    res.json({ result: { data: { json: { sub: payload.sub, tid: payload.tid } } } });
  } catch {
    res.status(401).json({ error: 'unauthorized' });
  }
});
const server = app.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as { port: number }).port }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
