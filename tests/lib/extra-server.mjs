// A front for the fixture server (tests/lib/server.mjs), for the bench and the
// privacy/hostile tests. It does not change the fixture server; it stands in front of it:
//
//   - one loopback port that speaks TLS *and* plain HTTP (it looks at the first byte),
//     so a browser that maps every host name to it (Chromium
//     `--host-resolver-rules=MAP * 127.0.0.1:PORT`) sends it every request it makes,
//     whatever the host or scheme;
//   - the same port is an HTTP proxy (CONNECT), so Firefox with `network.proxy.*` set to
//     it sends it every request too; CONNECT to www.linkedin.com is tunnelled back here,
//     anything else is refused and logged;
//   - every request is logged with its Host header, TLS server name, method, path and
//     Sec-Fetch-* headers (`front.log`);
//   - www.linkedin.com requests are answered by extra page handlers (hostile and bench
//     pages, same strict CSP) or passed on to the fixture server.
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer, CSP } from './server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const EXTRA_STATIC = path.resolve(HERE, '../fixtures/hostile/static');
export const LINKEDIN = 'www.linkedin.com';

function makeCert() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optout-front-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '3', '-subj', '/CN=www.linkedin.com',
      '-addext', 'subjectAltName=DNS:www.linkedin.com,DNS:linkedin.com,IP:127.0.0.1',
    ], { stdio: 'pipe', timeout: 20000 });
    return { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const hostname = (h) => String(h || '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();

/**
 * A page response from an extra handler: `{status?, type?, body, headers?}`. Every response
 * gets the fixture server's strict CSP.
 * @typedef {(url: URL, req: http.IncomingMessage) => null | {status?: number, type?: string, body: string|Buffer, headers?: object}} Handler
 */

/**
 * @param {{handlers?: Handler[], quiet?: boolean}} opts
 * @returns {Promise<{port:number, base:object, log:Array<object>, clearLog():void, close():Promise<void>,
 *   setLoggedIn(b:boolean):void}>}
 */
export async function startFront({ handlers = [], quiet = true } = {}) {
  const base = await startServer();
  const { key, cert } = makeCert();
  const log = [];
  const note = (entry) => {
    log.push({ time: Date.now(), ...entry });
    if (log.length > 20000) log.splice(0, 5000);
    if (!quiet) console.log('[front]', JSON.stringify(entry));
  };
  let port = 0;

  const send = (res, status, body, type = 'text/html; charset=utf-8', extra = {}) => {
    res.writeHead(status, {
      'content-type': type,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      ...extra,
    });
    res.end(body);
  };

  function serveStatic(res, p) {
    const name = path.basename(p);
    const file = path.join(EXTRA_STATIC, name);
    if (!/^[\w.-]+$/.test(name) || !fs.existsSync(file)) return send(res, 404, 'not found', 'text/plain');
    const type = name.endsWith('.js') ? 'text/javascript; charset=utf-8' : name.endsWith('.css') ? 'text/css; charset=utf-8' : 'application/octet-stream';
    return send(res, 200, fs.readFileSync(file), type);
  }

  function proxyToBase(req, res) {
    const up = https.request({
      host: '127.0.0.1', port: base.port, method: req.method, path: req.url,
      headers: { ...req.headers, host: `${LINKEDIN}` }, rejectUnauthorized: false, servername: LINKEDIN,
    }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', (e) => { if (!res.headersSent) send(res, 502, `front: ${e.message}`, 'text/plain'); else res.destroy(); });
    req.pipe(up);
  }

  const tlsServer = https.createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url, `https://${req.headers.host || LINKEDIN}`);
    note({
      kind: 'https', method: req.method, host: req.headers.host || null, sni: req.socket.servername || null,
      path: url.pathname + url.search, dest: req.headers['sec-fetch-dest'] || null, site: req.headers['sec-fetch-site'] || null,
      mode: req.headers['sec-fetch-mode'] || null, origin: req.headers.origin || null, referer: req.headers.referer || null,
    });
    if (hostname(req.headers.host) !== LINKEDIN) return send(res, 421, 'not LinkedIn', 'text/plain');
    if (url.pathname.startsWith('/__x/')) return serveStatic(res, url.pathname);
    for (const h of handlers) {
      let out;
      try {
        out = h(url, req);
      } catch (e) {
        return send(res, 500, `handler error: ${e.stack}`, 'text/plain');
      }
      if (out) return send(res, out.status ?? 200, out.body, out.type ?? 'text/html; charset=utf-8', out.headers ?? {});
    }
    return proxyToBase(req, res);
  });
  tlsServer.on('tlsClientError', () => {});

  // Plain HTTP on the same port: a request for any host (logged, refused) or a proxy CONNECT.
  const plain = http.createServer((req, res) => {
    note({ kind: 'http', method: req.method, host: req.headers.host || null, path: req.url });
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end('front: plain HTTP is not served');
  });
  plain.on('connect', (req, socket, head) => {
    note({ kind: 'connect', method: 'CONNECT', host: req.url, path: null });
    socket.on('error', () => {});
    if (hostname(req.url) !== LINKEDIN) {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const up = net.connect(port, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head?.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
  });

  const front = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (buf) => {
      socket.pause();
      socket.unshift(buf);
      (buf[0] === 0x16 ? tlsServer : plain).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  await new Promise((resolve, reject) => {
    front.once('error', reject);
    front.listen(0, '127.0.0.1', resolve);
  });
  port = front.address().port;

  return {
    port,
    base,
    log,
    clearLog() { log.length = 0; },
    setLoggedIn: (v) => base.setLoggedIn(v),
    async close() {
      await new Promise((resolve) => {
        front.close(() => resolve());
        tlsServer.closeAllConnections?.();
        plain.closeAllConnections?.();
        setTimeout(resolve, 2000).unref();
      });
      await base.close();
    },
  };
}

/** Firefox prefs that send every request through the front (an HTTP/HTTPS proxy). */
export function firefoxProxyPrefs(port) {
  return {
    'network.proxy.type': 1,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': port,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': port,
    'network.proxy.share_proxy_settings': true,
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': true,
    'network.proxy.failover_direct': false,
  };
}

/** An HTML page with the strict CSP's rules in mind: no inline script, scripts from /__x/. */
export function page({ title = 'Settings | LinkedIn', lang = 'en', mode = '', body = '', scripts = ['instrument.js'], attrs = '' }) {
  return `<!DOCTYPE html>
<html lang="${lang}" data-x="${mode}" ${attrs}>
<head>
<meta charset="utf-8">
<title>${title}</title>
<link rel="stylesheet" href="/static/style.css">
${scripts.map((s) => `<script src="/__x/${s}"></script>`).join('\n')}
</head>
<body class="_app_q1x7">
${body}
</body>
</html>
`;
}

export const escHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
