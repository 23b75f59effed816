// An independent SPDY/3.1 client (npm `spdy-transport`) for the Kubernetes streaming protocols the
// kubelet's streaming server speaks over SPDY: remotecommand (exec/attach) and portforward. It
// follows what Kubernetes' Go client does (k8s.io/client-go tools/remotecommand and
// tools/portforward over k8s.io/apimachinery util/httpstream/spdy and moby/spdystream), so that the
// e2e suite does not test crio's streaming server only with a client that shares its author.
//
// usage:
//   node spdy-stream.js remotecommand URL [--protocol P ...] [--stdin TEXT] [--stdout] [--stderr]
//        [--tty] [--resize W,H] [--stdin-delay MS] [--wait-for TEXT] [common options]
//     Creates the streams the way client-go does, one after another, each awaiting the server's
//     SYN_REPLY: error, then stdin, stdout, stderr (not with --tty), and with --tty on v3/v4 resize.
//     Writes {"Width":W,"Height":H}\n on resize (client-go's json.Encoder adds the newline), then
//     TEXT on stdin and half-closes stdin (with --tty it sends "\u0004" instead and keeps stdin
//     open). Collects every stream's bytes until error, stdout and stderr have ended and prints
//     {"protocol": negotiated, "streams": {"error": "...", "stdout": "...", "stderr": "..."}}.
//     --wait-for TEXT holds the resize and stdin back until stdout has shown TEXT (at most 20 s);
//     --stdin-repeat N sends TEXT N times (more than a window's worth of input).
//     Protocols default to client-go's SPDY list: v4, v3, v2 and channel.k8s.io.
//   node spdy-stream.js portforward URL --port N [--requests K] [--send TEXT] [--close-data]
//        [common options]
//     For each request id 0..K-1 at once: creates an error stream (streamtype=error, port, requestid)
//     and half-closes it at once (client-go only reads it), then a data stream (streamtype=data),
//     writes TEXT there (\r \n \t \\ escapes are decoded) and, with --close-data, half-closes it.
//     Reads both until the server ends them and prints
//     {"protocol": ..., "requests": [{"id": i, "data": "...", "error": "..."}]}.
//     The protocol defaults to portforward.k8s.io.
//   common options: --ca FILE --cert FILE --key FILE (https; without --ca the server's certificate
//     is not verified), --expect-status N (a non-101 answer with that status prints
//     {"status": N, "body": "..."} and exits 0), --ping (send one SPDY PING, await its echo and add
//     "ping": true), --verbose (log the frames received to stderr; DEBUG=spdy:* logs the library),
//     --ignore-flow-control (send without regard to the peer's SPDY/3.1 windows, as spdystream
//     does: by default spdy-transport stops after 64 KiB on a stream until a WINDOW_UPDATE comes).
//
// The upgrade request is written by hand (POST, Connection: Upgrade, Upgrade: SPDY/3.1, one
// X-Stream-Protocol-Version line per protocol); the socket is then handed to spdy-transport with
// any bytes already read after the response head. A stream the server resets with another status
// than CANCEL is reported under "resets". At the end, like client-go's connection Close, every
// stream this side has not half-closed gets RST_STREAM(CANCEL), then GOAWAY(OK) and the socket is
// ended; then the JSON line is printed.
// Exits 0 after printing, 1 on an error (message on stderr), 2 after 30 seconds.
//
// Two things of spdy-transport are bent here, both to speak like client-go / moby/spdystream:
//  * It answers a SYN_REPLY without a ":status" header with RST_STREAM(PROTOCOL_ERROR); spdystream
//    replies with an empty header block, so this client accepts any SYN_REPLY.
//  * It adds :method, :path, :version, :scheme and :host to every SYN_STREAM (it cannot be told
//    not to); :method is POST (with GET it would send FIN on the SYN_STREAM) and the priority is
//    0 like spdystream's.
'use strict';
const fs = require('fs');
const net = require('net');
const tls = require('tls');
const transport = require('spdy-transport');

const timer = setTimeout(() => { console.error('timed out'); process.exit(2); }, 30000);

// Prints the result and exits once it is flushed: process.exit right after console.log can cut a
// large output written to a pipe.
function succeed(result) {
  clearTimeout(timer);
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0));
}

function fail(message) {
  clearTimeout(timer);
  fs.writeSync(2, message + '\n');
  process.exit(1);
}

const REMOTECOMMAND_PROTOCOLS = {
  'v4.channel.k8s.io': 4,
  'v3.channel.k8s.io': 3,
  'v2.channel.k8s.io': 2,
  'channel.k8s.io': 1,
};

function parseArgs(argv) {
  const [mode, url, ...rest] = argv;
  if (mode !== 'remotecommand' && mode !== 'portforward' || !url) {
    fail('usage: node spdy-stream.js remotecommand|portforward URL [options] (see the header of spdy-stream.js)');
  }
  const flags = new Set(['--stdout', '--stderr', '--tty', '--close-data', '--ping', '--verbose',
    '--ignore-flow-control']);
  const valued = new Set(['--protocol', '--stdin', '--stdin-repeat', '--resize', '--stdin-delay', '--wait-for', '--port', '--requests',
    '--send', '--ca', '--cert', '--key', '--expect-status']);
  const options = { mode, url, protocols: [] };
  for (let i = 0; i < rest.length; i++) {
    const name = rest[i];
    if (flags.has(name)) {
      options[name.slice(2)] = true;
    } else if (valued.has(name)) {
      if (i + 1 >= rest.length) {
        fail(`${name} needs a value`);
      }
      const value = rest[++i];
      if (name === '--protocol') {
        options.protocols.push(value);
      } else {
        options[name.slice(2)] = value;
      }
    } else {
      fail(`unknown argument: ${name}`);
    }
  }
  if (options.protocols.length === 0) {
    options.protocols = mode === 'portforward' ? ['portforward.k8s.io'] : Object.keys(REMOTECOMMAND_PROTOCOLS);
  }
  return options;
}

function unescape(text) {
  return text.replace(/\\([rnt\\])/g, (_, c) => ({ r: '\r', n: '\n', t: '\t', '\\': '\\' })[c]);
}

function readFileOption(path) {
  return path === undefined ? undefined : fs.readFileSync(path);
}

// Opens the TCP/TLS connection, writes the upgrade request and reads the response head. Resolves
// with {socket, status, headers, rest} where rest holds the bytes read after the head.
function upgrade(options) {
  const target = new URL(options.url);
  const secure = target.protocol === 'https:';
  if (!secure && target.protocol !== 'http:') {
    fail(`unsupported URL scheme: ${target.protocol}`);
  }
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(target.port || (secure ? 443 : 80));
  return new Promise((resolve, reject) => {
    let socket;
    const onConnect = () => {
      const lines = [
        `POST ${target.pathname}${target.search} HTTP/1.1`,
        `Host: ${target.host}`,
        'User-Agent: crio-e2e-spdy-stream',
        'Content-Length: 0',
        'Connection: Upgrade',
        'Upgrade: SPDY/3.1',
        ...options.protocols.map((p) => `X-Stream-Protocol-Version: ${p}`),
      ];
      socket.write(lines.join('\r\n') + '\r\n\r\n');
    };
    if (secure) {
      const ca = readFileOption(options.ca);
      socket = tls.connect({
        host,
        port,
        servername: net.isIP(host) ? undefined : host,
        ca,
        cert: readFileOption(options.cert),
        key: readFileOption(options.key),
        rejectUnauthorized: ca !== undefined,
      }, onConnect);
    } else {
      socket = net.connect({ host, port }, onConnect);
    }
    let buffered = Buffer.alloc(0);
    const onError = (error) => reject(error);
    const onEnd = () => reject(new Error('connection closed before the response head'));
    const onData = (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        return;
      }
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('end', onEnd);
      socket.pause();
      const head = buffered.subarray(0, end).toString('latin1').split('\r\n');
      const statusLine = head[0];
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
      if (!match) {
        reject(new Error(`not an HTTP response: ${JSON.stringify(statusLine)}`));
        return;
      }
      const headers = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) {
          const name = line.slice(0, colon).trim().toLowerCase();
          const value = line.slice(colon + 1).trim();
          headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
        }
      }
      resolve({ socket, statusLine, status: Number(match[1]), headers, rest: buffered.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
  });
}

// Reads the body of a non-101 response: Content-Length, chunked, or up to the end of the connection.
function readBody(response) {
  const { socket, headers } = response;
  return new Promise((resolve) => {
    let body = response.rest;
    const length = headers['content-length'] === undefined ? -1 : Number(headers['content-length']);
    const chunked = /chunked/i.test(headers['transfer-encoding'] || '');
    const dechunk = () => {
      const parts = [];
      let offset = 0;
      for (;;) {
        const lineEnd = body.indexOf('\r\n', offset);
        if (lineEnd < 0) {
          return null;
        }
        const size = parseInt(body.subarray(offset, lineEnd).toString('latin1'), 16);
        if (size === 0) {
          return Buffer.concat(parts);
        }
        if (body.length < lineEnd + 2 + size + 2) {
          return null;
        }
        parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
        offset = lineEnd + 2 + size + 2;
      }
    };
    const done = () => {
      let text;
      if (chunked) {
        text = (dechunk() || body).toString('utf8');
      } else {
        text = (length >= 0 ? body.subarray(0, length) : body).toString('utf8');
      }
      socket.destroy();
      resolve(text);
    };
    const check = () => {
      if (chunked ? dechunk() !== null : length >= 0 && body.length >= length) {
        done();
      }
    };
    socket.on('data', (chunk) => { body = Buffer.concat([body, chunk]); check(); });
    socket.on('end', done);
    socket.on('error', done);
    socket.resume();
    check();
  });
}

// Makes a send window never block nor count: moby/spdystream (client-go, kubelet) has no flow
// control at all, never sends WINDOW_UPDATE, and so a flow-controlled sender stalls after 64 KiB.
function ignoreWindow(side) {
  side.update = function update(size, callback) {
    if (callback) {
      process.nextTick(callback);
    }
  };
}

// One SPDY stream this client opened, with everything it received.
class ClientStream {
  constructor(session, name, headers) {
    this.name = name;
    this.chunks = [];
    this.ended = false;
    this.replied = false;
    this.reset = null;
    this.endWaiters = [];
    this.replyWaiters = [];
    this.stream = session.conn.request({
      method: 'POST',
      path: '/',
      priority: { parent: 0, weight: 1, exclusive: false },
      headers,
    });
    session.streams.push(this);
    const stream = this.stream;
    if (session.ignoreFlowControl) {
      ignoreWindow(stream._spdyState.window.send);
    }
    // Accept a SYN_REPLY whatever its headers (spdystream sends none, not even :status).
    stream._handleResponse = function handleResponse(frame) {
      this._spdyState.needResponse = false;
      const status = frame.headers[':status'];
      this.emit('response', status === undefined ? 0 : status | 0, frame.headers);
    };
    stream.on('response', () => {
      this.replied = true;
      this.settle(this.replyWaiters, null);
    });
    stream.on('data', (chunk) => this.chunks.push(chunk));
    stream.on('end', () => this.markEnded());
    stream.on('close', () => this.markEnded());
    stream.on('error', (error) => {
      if (this.reset === null) {
        this.reset = error.message;
      }
      this.markEnded();
    });
  }

  settle(waiters, error) {
    waiters.splice(0).forEach((waiter) => waiter(error));
  }

  markEnded() {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.settle(this.endWaiters, null);
    if (!this.replied) {
      this.settle(this.replyWaiters, new Error(
        `the server closed the ${this.name} stream before replying${this.reset ? ` (${this.reset})` : ''}`));
    }
  }

  // Like client-go's CreateStream: resolves once the server's SYN_REPLY arrived.
  whenReplied() {
    if (this.replied) {
      return Promise.resolve(this);
    }
    if (this.ended) {
      return Promise.reject(new Error(`the server closed the ${this.name} stream before replying`));
    }
    return new Promise((resolve, reject) => {
      this.replyWaiters.push((error) => (error ? reject(error) : resolve(this)));
    });
  }

  whenEnded() {
    return this.ended ? Promise.resolve() : new Promise((resolve) => this.endWaiters.push(resolve));
  }

  write(data) {
    return new Promise((resolve, reject) => {
      this.stream.write(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  // Half-close: a DATA frame with FIN and no payload, like spdystream's Stream.Close.
  halfClose() {
    this.stream.end();
  }

  text() {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function startSession(options, response) {
  const { socket, rest } = response;
  if (rest.length > 0) {
    socket.unshift(rest);
  }
  const conn = transport.connection.create(socket, { protocol: 'spdy', isServer: false });
  const session = { conn, socket, streams: [], closing: false, closed: false, onClose: null,
    ignoreFlowControl: Boolean(options['ignore-flow-control']) };
  if (session.ignoreFlowControl) {
    ignoreWindow(conn._spdyState.window.send);
  }
  conn.on('error', (error) => {
    if (!session.closing) {
      fail(`spdy connection error: ${error.message}`);
    }
  });
  conn.on('close', () => {
    session.closed = true;
    if (session.onClose) {
      session.onClose();
    }
  });
  // client-go refuses streams the server opens.
  conn.on('stream', (stream) => {
    stream.on('error', () => {});
    stream.abort('REFUSED_STREAM');
  });
  if (options.verbose) {
    if (rest.length > 0) {
      console.error(`${rest.length} bytes after the response head handed to spdy-transport`);
    }
    conn.on('frame', (frame) => {
      const { data, ...shown } = frame;
      if (data) {
        shown.length = data.length;
      }
      console.error(`recv ${JSON.stringify(shown)}`);
    });
  }
  conn.start(3.1);
  return session;
}

// Resolves true when the server echoes a PING (client-go pings every 5 s), false after 5 s.
function ping(session) {
  return new Promise((resolve) => {
    const timeout = setTimeout(() => resolve(false), 5000);
    session.conn.ping(() => { clearTimeout(timeout); resolve(true); });
  });
}

// client-go's Close: RST_STREAM(CANCEL) for each stream not half-closed by this side, GOAWAY(OK)
// naming the last stream the server opened (none: 0), then the socket is closed.
function closeSession(session) {
  return new Promise((resolve) => {
    session.closing = true;
    if (session.closed) {
      resolve();
      return;
    }
    const fallback = setTimeout(resolve, 3000);
    session.socket.once('close', () => { clearTimeout(fallback); resolve(); });
    for (const s of session.streams) {
      if (!s.stream._writableState.finished && !s.stream._spdyState.aborted) {
        s.stream.abort();
      }
    }
    const state = session.conn._spdyState;
    state.framer.goawayFrame({ lastId: state.stream.lastId.received, code: 'OK' }, () => {
      setImmediate(() => {
        state.framer.unpipe(session.socket);
        const pending = state.framer.read();
        if (pending) {
          session.socket.write(pending);
        }
        session.socket.end();
      });
    });
  });
}

function untilClosed(session) {
  return new Promise((resolve) => {
    if (session.closed) {
      resolve();
    } else {
      session.onClose = resolve;
    }
  });
}

function resets(streams) {
  const found = {};
  for (const s of streams) {
    if (s.reset !== null) {
      found[s.name] = s.reset;
    }
  }
  return Object.keys(found).length > 0 ? found : undefined;
}

async function remotecommand(options, session, negotiated) {
  const version = negotiated === '' ? 1 : REMOTECOMMAND_PROTOCOLS[negotiated];
  if (version === undefined) {
    fail(`the server negotiated an unsupported protocol: ${negotiated}`);
  }
  const open = (type) => new ClientStream(session, type, { streamtype: type }).whenReplied();
  const error = await open('error');
  const stdin = options.stdin !== undefined ? await open('stdin') : null;
  const stdout = options.stdout ? await open('stdout') : null;
  const stderr = options.stderr && !options.tty ? await open('stderr') : null;
  const resize = options.tty && version >= 3 ? await open('resize') : null;

  if (options['wait-for'] !== undefined) {
    // A terminal follows resizes only once the command runs: wait until it has said something.
    const deadline = Date.now() + 20000;
    while (!(stdout && stdout.text().includes(options['wait-for'])) && Date.now() < deadline && !session.closed) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  if (options.resize !== undefined) {
    if (!resize) {
      fail('--resize needs --tty and a v3 or v4 protocol');
    }
    const [width, height] = options.resize.split(',').map(Number);
    await resize.write(JSON.stringify({ Width: width, Height: height }) + '\n');
  }
  if (stdin) {
    if (options['stdin-delay'] !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, Number(options['stdin-delay'])));
    }
    for (let i = 0; i < Number(options['stdin-repeat'] || 1); i++) {
      if (options.stdin.length > 0) {
        await stdin.write(options.stdin);
      }
    }
    if (options.tty) {
      await stdin.write('\u0004');
    } else {
      stdin.halfClose();
    }
  }

  const awaited = [error, stdout, stderr].filter(Boolean);
  await Promise.race([Promise.all(awaited.map((s) => s.whenEnded())), untilClosed(session)]);

  const streams = { error: error.text() };
  if (stdout) {
    streams.stdout = stdout.text();
  }
  if (stderr) {
    streams.stderr = stderr.text();
  }
  return { protocol: negotiated, streams, resets: resets(session.streams) };
}

async function portforward(options, session, negotiated) {
  if (options.port === undefined) {
    fail('portforward needs --port N');
  }
  const count = Number(options.requests || 1);
  const send = unescape(options.send || '');
  const one = async (id) => {
    const headers = { streamtype: 'error', port: String(options.port), requestid: String(id) };
    const error = await new ClientStream(session, `error/${id}`, headers).whenReplied();
    error.halfClose();
    const data = await new ClientStream(session, `data/${id}`, { ...headers, streamtype: 'data' }).whenReplied();
    if (send.length > 0) {
      await data.write(send);
    }
    if (options['close-data']) {
      data.halfClose();
    }
    await Promise.race([Promise.all([data.whenEnded(), error.whenEnded()]), untilClosed(session)]);
    return { id, data: data.text(), error: error.text() };
  };
  const requests = await Promise.all(Array.from({ length: count }, (_, id) => one(id)));
  return { protocol: negotiated, requests, resets: resets(session.streams) };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let response;
  try {
    response = await upgrade(options);
  } catch (error) {
    fail(`upgrade failed: ${error.message}`);
  }
  const expected = options['expect-status'] === undefined ? null : Number(options['expect-status']);
  if (response.status !== 101) {
    const body = await readBody(response);
    if (response.status === expected) {
      succeed({ status: response.status, body });
    } else {
      fail(`${response.statusLine}\n${body}`);
    }
    return;
  }
  if (expected !== null && expected !== 101) {
    fail(`expected status ${expected}, got ${response.statusLine}`);
  }
  // client-go's SpdyRoundTripper.NewConnection checks these two headers.
  if (!/upgrade/i.test(response.headers.connection || '') || !/spdy\/3\.1/i.test(response.headers.upgrade || '')) {
    fail(`not a SPDY/3.1 upgrade: Connection: ${response.headers.connection}, Upgrade: ${response.headers.upgrade}`);
  }
  const negotiated = response.headers['x-stream-protocol-version'] || '';

  const session = startSession(options, response);
  const pinged = options.ping ? ping(session) : null;
  const result = options.mode === 'remotecommand'
    ? await remotecommand(options, session, negotiated)
    : await portforward(options, session, negotiated);
  if (pinged) {
    result.ping = await Promise.race([pinged, untilClosed(session).then(() => false)]);
  }
  if (result.resets === undefined) {
    delete result.resets;
  }
  await closeSession(session);
  succeed(result);
}

main().catch((error) => fail(error.stack || error.message));
