// Sends two gRPC Version requests on ONE HTTP/2 connection with :authority set to the socket
// path, using Node's own HTTP/2 stack (nghttp2: an HPACK encoder independent of ours, which
// indexes the header on the first request and references the table entry on the second).
// Prints one JSON line per request: HTTP status, grpc-status, and the response message in hex.
// Usage: node http2-authority.js SOCKET
'use strict';
const http2 = require('node:http2');
const net = require('node:net');

const socketPath = process.argv[2];
const session = http2.connect('http://localhost', { createConnection: () => net.connect(socketPath) });
session.on('error', (error) => { console.error(`session error: ${error.message}`); process.exit(1); });
const timer = setTimeout(() => { console.error('timed out'); process.exit(1); }, 15000);

function versionCall() {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':method': 'POST',
      ':scheme': 'http',
      ':path': '/runtime.v1.RuntimeService/Version',
      ':authority': socketPath,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const result = { status: 0, grpcStatus: null, messageHex: '' };
    const chunks = [];
    stream.on('response', (headers) => { result.status = headers[':status']; });
    stream.on('trailers', (trailers) => { result.grpcStatus = trailers['grpc-status']; });
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('close', () => {
      if (stream.rstCode) { reject(new Error(`stream reset with code ${stream.rstCode}`)); return; }
      const body = Buffer.concat(chunks);
      // One gRPC message: 1 byte compressed flag, 4 bytes length, then the protobuf bytes.
      result.messageHex = body.length >= 5 ? body.subarray(5, 5 + body.readUInt32BE(1)).toString('hex') : '';
      resolve(result);
    });
    // An empty VersionRequest: flag 0, length 0.
    stream.end(Buffer.alloc(5));
  });
}

(async () => {
  try {
    for (let i = 0; i < 2; i++) {
      console.log(JSON.stringify(await versionCall()));
    }
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  } finally {
    clearTimeout(timer);
    session.close();
  }
})();
