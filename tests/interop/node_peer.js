// Node's tls module, with its defaults, as a TLS peer for the interop tests
// (test_node.sh). Nothing is tuned: no ciphers, versions, curves or
// signature algorithms are set, as a Node application would leave them.
//
//   node node_peer.js client PORT CAFILE TOKEN   connect to 127.0.0.1:PORT as "localhost"
//                                                (verifying the chain and the name), send
//                                                TOKEN and a newline, expect it echoed, end
//   node node_peer.js client-resume PORT CAFILE TOKEN
//                                                the same twice: the second connection
//                                                offers the session (ticket) the first one's
//                                                'session' event gave
//   node node_peer.js server PORT CHAIN KEY [N]  serve N connections (default 1) on
//                                                127.0.0.1:PORT, one server: echo one
//                                                line on each, end
//
// Prints "negotiated VERSION OPENSSL_NAME IANA_NAME" and "received LINE";
// client-resume and server with N > 1 also "session_reused true|false" for
// each connection.
// Exits 1 with "tls error CODE MESSAGE" on stderr on any failure.
'use strict';
const fs = require('fs');
const tls = require('tls');

function fail(err) {
  console.error('tls error', err.code || '-', err.message);
  process.exit(1);
}

function negotiated(sock) {
  const c = sock.getCipher();
  console.log('negotiated', sock.getProtocol(), c.name, c.standardName);
}

// Calls back with the first line read (without its newline).
function readLine(sock, done) {
  let got = '';
  sock.setEncoding('utf8');
  sock.on('data', (chunk) => {
    got += chunk;
    const nl = got.indexOf('\n');
    if (nl >= 0) {
      sock.removeAllListeners('data');
      done(got.slice(0, nl));
    }
  });
}

// One connection: send TOKEN, read the echo, end; then done(session), the
// session of the last 'session' event (TLS 1.3: one per NewSessionTicket).
function exchange(port, cafile, token, opts, done) {
  let session;
  const sock = tls.connect(
      {host: '127.0.0.1', port, servername: 'localhost', ca: fs.readFileSync(cafile), ...opts.connect}, () => {
        negotiated(sock);
        readLine(sock, (line) => {
          console.log('received', line);
          if (opts.tellReuse) {
            console.log('session_reused', sock.isSessionReused());
          }
          sock.end(); // close_notify
        });
        sock.write(token + '\n');
      });
  sock.on('session', (s) => {
    session = s;
  });
  sock.setTimeout(10000, () => fail(new Error('timed out')));
  sock.on('error', fail);
  sock.on('close', (hadError) => (hadError ? process.exit(1) : done(session)));
}

function client(port, cafile, token) {
  exchange(port, cafile, token, {}, () => process.exit(0));
}

function clientResume(port, cafile, token) {
  exchange(port, cafile, token + '-1', {tellReuse: true}, (session) => {
    console.log('got a session', session !== undefined);
    if (session === undefined) {
      process.exit(1);
    }
    exchange(port, cafile, token + '-2', {tellReuse: true, connect: {session}}, () => process.exit(0));
  });
}

function server(port, chain, key, count) {
  let served = 0;
  const srv = tls.createServer({cert: fs.readFileSync(chain), key: fs.readFileSync(key)}, (sock) => {
    negotiated(sock);
    if (count > 1) {
      console.log('session_reused', sock.isSessionReused());
    }
    sock.on('error', fail);
    readLine(sock, (line) => {
      console.log('received', line);
      sock.end(line + '\n');
    });
    sock.on('close', () => {
      served += 1;
      if (served === count) {
        srv.close();
      }
    });
  });
  srv.on('tlsClientError', fail);
  srv.on('error', fail);
  srv.listen(port, '127.0.0.1');
  setTimeout(() => fail(new Error('no client within 15 s')), 15000).unref();
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'client') {
  client(Number(args[0]), args[1], args[2]);
} else if (mode === 'client-resume') {
  clientResume(Number(args[0]), args[1], args[2]);
} else if (mode === 'server') {
  server(Number(args[0]), args[1], args[2], Number(args[3] || 1));
} else {
  console.error('usage: node_peer.js client|client-resume PORT CAFILE TOKEN | server PORT CHAIN KEY [N]');
  process.exit(2);
}
