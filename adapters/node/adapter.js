#!/usr/bin/env node
// voxproof adapter (protocol 1, docs/adapters.md) for Node libraries:
// ws (its server handshake over node:http, its Receiver for frame.decode)
// and jose (jwt.verify).
'use strict';

const http = require('node:http');
const net = require('node:net');
const readline = require('node:readline');
const crypto = require('node:crypto');
const { WebSocketServer, Receiver } = require('ws');
const jose = require('jose');

const OPS = ['accept.compute', 'handshake.parse_request', 'frame.decode', 'jwt.verify'];

class Unsupported extends Error {}

const b64 = (buf) => Buffer.from(buf).toString('base64');
const unb64 = (s) => Buffer.from(s, 'base64');

// ------------------------------------------------------------- handshake

// One local HTTP server: ws answers upgrades; a request that is not one gets
// 426 with Upgrade: websocket, as ws's documentation has servers do.
let protocols = [];
const wss = new WebSocketServer({
  noServer: true,
  handleProtocols: (offered) => protocols.find((p) => offered.has(p)) || false,
});
const server = http.createServer((req, res) => {
  res.writeHead(426, { Upgrade: 'websocket', Connection: 'close' });
  res.end();
});
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => ws.terminate());
});
const listening = new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

// The server's answer to `bytes`: status (null when it closes without one) and headers.
async function exchange(bytes) {
  await listening;
  const { port } = server.address();
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    const done = () => {
      sock.destroy();
      clearTimeout(timer);
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return resolve({ status: null, headers: [] });
      const lines = got.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      const headers = lines.slice(1).map((l) => {
        const i = l.indexOf(':');
        return [l.slice(0, i), l.slice(i + 1).trim()];
      });
      resolve({ status, headers });
    };
    const timer = setTimeout(done, 2000);
    sock.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.indexOf('\r\n\r\n') >= 0) done();
    });
    sock.on('end', done);
    sock.on('error', done);
    sock.write(bytes);
  });
}

async function parseRequest(req) {
  protocols = req.protocols || [];
  return exchange(unb64(req.request_b64));
}

async function acceptCompute(req) {
  if (/[\r\n]/.test(req.key) || req.key.trim() !== req.key) {
    // HTTP strips whitespace around a field value and ends a field at a line
    // break: such a key cannot reach ws whole.
    throw new Unsupported('a key an HTTP field cannot carry');
  }
  protocols = [];
  const request =
    'GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n' +
    `Connection: Upgrade\r\nSec-WebSocket-Key: ${req.key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  const { status, headers } = await exchange(Buffer.from(request, 'latin1'));
  if (status !== 101) return { result: 'reject', reason: `status ${status}` };
  const accept = headers.find(([n]) => n.toLowerCase() === 'sec-websocket-accept');
  return { result: 'accept', accept: accept ? accept[1] : '' };
}

// ------------------------------------------------------------------ frames

function frameDecode(req) {
  const events = [];
  let fail = null;
  const receiver = new Receiver({ isServer: true, maxPayload: 0 });
  receiver.on('message', (data, isBinary) => {
    events.push({ type: isBinary ? 'binary' : 'text', data_b64: b64(data) });
  });
  receiver.on('ping', (data) => events.push({ type: 'ping', data_b64: b64(data) }));
  receiver.on('pong', (data) => events.push({ type: 'pong', data_b64: b64(data) }));
  receiver.on('conclude', (code, reason) => {
    const e = { type: 'close', data_b64: b64(reason) };
    if (code !== 1005) e.code = code;
    events.push(e);
  });
  receiver.on('error', (err) => {
    // ws keeps the close code it would send under a symbol it does not export.
    const status = Object.getOwnPropertySymbols(err).find((k) => k.description === 'status-code');
    if (fail === null) fail = { code: status ? err[status] : null, reason: err.message };
  });
  return new Promise((resolve) => {
    receiver.write(unb64(req.bytes_b64), () => setImmediate(() => resolve({ events, fail })));
  });
}

// --------------------------------------------------------------------- jwt

const PRIVATE = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth']);
const publicJwk = (jwk) => Object.fromEntries(Object.entries(jwk).filter(([k]) => !PRIVATE.has(k)));

// The key for a token's header: from the PEM (for the algorithm the token
// names, if configured), the JWK, or the JWK Set (jose selects by kid and alg).
function keyFor(req) {
  if (req.key_pem) {
    return async (header) => {
      if (header.alg && header.alg.startsWith('HS')) {
        // jose keeps PEM keys asymmetric: no HMAC with a public key's bytes.
        throw Object.assign(new Error('a PEM key is not an HMAC secret'), { code: 'ERR_JOSE_ALG_NOT_ALLOWED' });
      }
      return jose.importSPKI(req.key_pem, header.alg);
    };
  }
  if (Array.isArray(req.key.keys)) {
    const keys = req.key.keys.map(publicJwk);
    if (!keys.some((k) => k.kty === 'oct')) return jose.createLocalJWKSet({ keys });
    // jose's JWK Sets hold no HMAC keys: pick by kid here, as for PyJWT.
    return async (header) => {
      const matching = header.kid === undefined ? keys : keys.filter((k) => k.kid === header.kid);
      if (matching.length !== 1) {
        throw Object.assign(new Error('no single key for this token'), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
      }
      return jose.importJWK(matching[0], header.alg);
    };
  }
  return async (header) => jose.importJWK(publicJwk(req.key), header.alg);
}

function errorWord(e) {
  switch (e.code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (e.reason === 'missing') return 'missing-claim';
      if (e.claim === 'nbf' && e.reason === 'check_failed') return 'not-yet-valid';
      if (e.claim === 'aud' && e.reason === 'check_failed') return 'wrong-audience';
      if (e.claim === 'iss' && e.reason === 'check_failed') return 'wrong-issuer';
      return 'bad-claim-type';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'bad-signature';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'alg-not-allowed';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'unknown-key';
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'unsupported-header';
    default:
      return 'malformed';
  }
}

async function jwtVerify(req) {
  if (req.algorithms.includes('none')) throw new Unsupported('algorithm none: jose verifies no unsecured JWS');
  const key = keyFor(req);
  try {
    if (req.kind === 'jws') {
      const { payload } = await jose.compactVerify(req.token, key, { algorithms: req.algorithms });
      return { result: 'valid', payload_b64: b64(payload) };
    }
    const v = req.validation || {};
    const options = {
      algorithms: req.algorithms,
      clockTolerance: v.leeway || 0,
      currentDate: new Date((v.now || 0) * 1000),
      requiredClaims: v.required || [],
    };
    if (v.aud) options.audience = v.aud;
    if (v.iss) options.issuer = v.iss;
    const { payload } = await jose.jwtVerify(req.token, key, options);
    return { result: 'valid', claims: payload };
  } catch (e) {
    return { result: 'invalid', error: errorWord(e), detail: `${e.code || e.name}: ${e.message}` };
  }
}

// ------------------------------------------------------------------ main

const HANDLERS = {
  'accept.compute': acceptCompute,
  'handshake.parse_request': parseRequest,
  'frame.decode': frameDecode,
  'jwt.verify': jwtVerify,
};

async function answer(req) {
  if (req.op === 'hello') {
    return {
      protocol: 1,
      ops: OPS,
      name: 'node: ws, jose',
      version: `ws ${require('ws/package.json').version}, jose ${require('jose/package.json').version}, Node ${process.versions.node}`,
    };
  }
  const handler = HANDLERS[req.op];
  if (!handler) return { error: 'unsupported' };
  try {
    return await handler(req);
  } catch (e) {
    if (e instanceof Unsupported) return { error: 'unsupported', detail: e.message };
    return { error: `${e.name}: ${e.message}` };
  }
}

// One request at a time, answered in order.
let queue = Promise.resolve();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(async () => {
    const req = JSON.parse(line);
    const out = await answer(req);
    if (req.id !== undefined) out.id = req.id;
    process.stdout.write(JSON.stringify(out) + '\n');
  });
});
process.stdin.on('end', () => queue.then(() => process.exit(0)));
