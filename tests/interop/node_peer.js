// Node's tls module, with its defaults, as a TLS peer for the interop tests
// (test_node.sh). Nothing is tuned: no ciphers, versions, curves or
// signature algorithms are set, as a Node application would leave them.
//
//   node node_peer.js client PORT CAFILE TOKEN   connect to 127.0.0.1:PORT as "localhost"
//                                                (verifying the chain and the name), send
//                                                TOKEN and a newline, expect it echoed, end
//   node node_peer.js server PORT CHAIN KEY      serve one connection on 127.0.0.1:PORT:
//                                                echo one line, end
//
// Prints "negotiated VERSION OPENSSL_NAME IANA_NAME" and "received LINE".
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

function client(port, cafile, token) {
  const sock = tls.connect({host: '127.0.0.1', port, servername: 'localhost', ca: fs.readFileSync(cafile)}, () => {
    negotiated(sock);
    readLine(sock, (line) => {
      console.log('received', line);
      sock.end(); // close_notify
    });
    sock.write(token + '\n');
  });
  sock.setTimeout(10000, () => fail(new Error('timed out')));
  sock.on('error', fail);
  sock.on('close', (hadError) => process.exit(hadError ? 1 : 0));
}

function server(port, chain, key) {
  const srv = tls.createServer({cert: fs.readFileSync(chain), key: fs.readFileSync(key)}, (sock) => {
    negotiated(sock);
    sock.on('error', fail);
    readLine(sock, (line) => {
      console.log('received', line);
      sock.end(line + '\n');
    });
    sock.on('close', () => srv.close());
  });
  srv.on('tlsClientError', fail);
  srv.on('error', fail);
  srv.listen(port, '127.0.0.1');
  setTimeout(() => fail(new Error('no client within 15 s')), 15000).unref();
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'client') {
  client(Number(args[0]), args[1], args[2]);
} else if (mode === 'server') {
  server(Number(args[0]), args[1], args[2]);
} else {
  console.error('usage: node_peer.js client PORT CAFILE TOKEN | server PORT CHAIN KEY');
  process.exit(2);
}
