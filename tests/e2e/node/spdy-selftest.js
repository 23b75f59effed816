// Self test of spdy-stream.js: runs a small kubelet-like SPDY/3.1 streaming server in this process
// (spdy-transport with isServer: true on a plain net/tls server, the HTTP upgrade parsed by hand),
// spawns spdy-stream.js against it for remotecommand and portforward, and checks both what the
// client prints and what it put on the wire (every frame the client sends is tapped and decoded).
// The server runs in two variants: "spdystream" behaves like moby/spdystream, under the kubelet
// (a SYN_REPLY with an empty header block, no SETTINGS, never a WINDOW_UPDATE); "spdy-transport"
// is the library's own server behaviour (SYN_REPLY with ":status: 200 OK" and ":version",
// SETTINGS, WINDOW_UPDATEs).
// usage: node spdy-selftest.js      (prints "ok N checks" and exits 0, or the failure and exits 1)
'use strict';
const assert = require('assert');
const childProcess = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const tls = require('tls');
const transport = require('spdy-transport');

const CLIENT = path.join(__dirname, 'spdy-stream.js');
const REMOTECOMMAND = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
const PORTFORWARD = ['portforward.k8s.io'];
const V4_SUCCESS = '{"metadata":{},"status":"Success"}';
const CONTROL_TYPES = { 1: 'SYN_STREAM', 2: 'SYN_REPLY', 3: 'RST_STREAM', 4: 'SETTINGS', 6: 'PING', 7: 'GOAWAY',
  8: 'HEADERS', 9: 'WINDOW_UPDATE' };

const timer = setTimeout(() => { console.error('self test timed out'); process.exit(2); }, 120000);
let checks = 0;
function check(condition, message) {
  checks++;
  assert(condition, message);
}
function checkEqual(actual, expected, message) {
  checks++;
  assert.deepStrictEqual(actual, expected, message);
}

// Decodes the frames one side writes (headers are zlib'd, so only the frame heads and plain bodies).
function frameTap() {
  const frames = [];
  let buffer = Buffer.alloc(0);
  return {
    frames,
    push(chunk) {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 8) {
        const length = buffer.readUIntBE(5, 3);
        if (buffer.length < 8 + length) {
          return;
        }
        const flags = buffer[4];
        const body = buffer.subarray(8, 8 + length);
        if (buffer[0] & 0x80) {
          const frame = { type: CONTROL_TYPES[buffer.readUInt16BE(2)] || buffer.readUInt16BE(2),
            version: buffer.readUInt16BE(0) & 0x7fff, flags };
          if (['SYN_STREAM', 'SYN_REPLY', 'RST_STREAM', 'HEADERS', 'WINDOW_UPDATE'].includes(frame.type)) {
            frame.id = body.readUInt32BE(0) & 0x7fffffff;
          }
          if (frame.type === 'SYN_STREAM') {
            frame.priority = body[8] >> 5;
          } else if (frame.type === 'RST_STREAM') {
            frame.status = body.readUInt32BE(4);
          } else if (frame.type === 'WINDOW_UPDATE') {
            frame.delta = body.readUInt32BE(4);
          } else if (frame.type === 'GOAWAY') {
            frame.lastId = body.readUInt32BE(0) & 0x7fffffff;
            frame.status = body.readUInt32BE(4);
          } else if (frame.type === 'SETTINGS') {
            frame.settings = [];
            for (let i = 0; i < body.readUInt32BE(0); i++) {
              const idFlags = body.readUInt32BE(4 + 8 * i);
              frame.settings.push({ flags: idFlags >>> 24, id: idFlags & 0xffffff, value: body.readUInt32BE(8 + 8 * i) });
            }
          }
          frames.push(frame);
        } else {
          frames.push({ type: 'DATA', id: buffer.readUInt32BE(0) & 0x7fffffff, flags, data: body.toString('utf8') });
        }
        buffer = buffer.subarray(8 + length);
      }
    },
  };
}

// A SYN_REPLY with an empty header block, as moby/spdystream's stream.SendReply(http.Header{}) sends.
function bareReply(conn, stream) {
  const framer = conn._spdyState.framer;
  return new Promise((resolve, reject) => {
    framer.headersToDict({}, null, (error, chunks) => {
      if (error) {
        reject(error);
        return;
      }
      framer._frame({ type: 'SYN_REPLY', id: stream.id, flags: 0 }, (buf) => {
        buf.reserve(4);
        buf.writeUInt32BE(stream.id & 0x7fffffff);
        for (const chunk of chunks) {
          buf.copyFrom(chunk);
        }
      }, () => resolve());
    });
  });
}

function reply(session, stream) {
  if (session.variant === 'spdy-transport') {
    return new Promise((resolve) => stream.respond(200, {}, () => resolve()));
  }
  return bareReply(session.conn, stream);
}

function readAll(stream) {
  return new Promise((resolve) => {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

// kubelet-like remotecommand: waits for all expected streams, then echoes stdin to stdout (and in
// upper case to stderr); with a tty it reports each resize on stdout and stops at "\u0004".
function serveRemotecommand(session, query) {
  const tty = query.get('tty') === '1';
  const big = Number(query.get('big') || 0);
  const expected = ['error'];
  if (query.get('input') === '1') {
    expected.push('stdin');
  }
  if (query.get('output') === '1') {
    expected.push('stdout');
  }
  if (query.get('error') === '1' && !tty) {
    expected.push('stderr');
  }
  if (tty && session.protocol !== 'v2.channel.k8s.io' && session.protocol !== 'channel.k8s.io') {
    expected.push('resize');
  }
  const streams = {};
  session.conn.on('stream', async (stream) => {
    stream.on('error', () => {});
    const type = stream.headers.streamtype;
    session.synStreams.push({ id: stream.id, headers: stream.headers });
    await reply(session, stream);
    streams[type] = stream;
    if (expected.every((t) => streams[t])) {
      run();
    }
  });
  let finished = false;
  const finish = () => {
    if (finished) {
      return;
    }
    finished = true;
    if (streams.stdout) {
      streams.stdout.end();
    }
    if (streams.stderr) {
      streams.stderr.end();
    }
    streams.error.end(session.protocol === 'v4.channel.k8s.io' ? V4_SUCCESS : undefined);
  };
  const run = () => {
    if (streams.resize) {
      let pending = '';
      streams.resize.on('data', (chunk) => {
        pending += chunk.toString('utf8');
        let newline;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const size = JSON.parse(pending.slice(0, newline));
          pending = pending.slice(newline + 1);
          session.resizes.push(size);
          streams.stdout.write(`[resize ${size.Width}x${size.Height}]`);
        }
      });
    }
    if (!streams.stdin) {
      streams.stdout.write(big > 0 ? Buffer.alloc(big, 'a') : 'no stdin');
      finish();
      return;
    }
    streams.stdin.on('data', (chunk) => {
      let text = chunk.toString('utf8');
      const eot = text.indexOf('\u0004');
      if (eot >= 0) {
        text = text.slice(0, eot);
      }
      if (streams.stdout && text) {
        streams.stdout.write(text);
      }
      if (streams.stderr && text) {
        streams.stderr.write(text.toUpperCase());
      }
      if (eot >= 0) {
        finish();
      }
    });
    streams.stdin.on('end', () => {
      session.stdinFin = true;
      finish();
    });
  };
}

// kubelet-like portforward: per request id an error and a data stream; once the data stream carried
// a whole HTTP request head it answers and ends both streams.
function servePortforward(session) {
  session.conn.on('stream', async (stream) => {
    stream.on('error', () => {});
    const { streamtype, requestid } = stream.headers;
    session.synStreams.push({ id: stream.id, headers: stream.headers });
    const request = session.requests[requestid] || (session.requests[requestid] = { errorFin: false, received: '' });
    await reply(session, stream);
    if (streamtype === 'error') {
      request.error = stream;
      stream.on('data', () => {});
      stream.on('end', () => { request.errorFin = true; });
      stream.resume();
      return;
    }
    request.errorFinBeforeData = request.errorFin;
    stream.on('data', (chunk) => {
      request.received += chunk.toString('utf8');
      if (request.received.includes('\r\n\r\n') && !request.answered) {
        request.answered = true;
        stream.end('HTTP/1.0 200 OK\r\n\r\nhello');
        request.error.end();
      }
    });
  });
}

function startServer(options = {}) {
  const sessions = [];
  const onConnection = (socket) => {
    const session = { variant: options.variant || 'spdystream', synStreams: [], requests: {}, resizes: [],
      stdinFin: false, pingAnswered: false, tap: frameTap(), closed: null };
    session.closed = new Promise((resolve) => socket.on('close', resolve));
    socket.on('error', () => {});
    sessions.push(session);
    let buffered = Buffer.alloc(0);
    const onData = (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        return;
      }
      socket.removeListener('data', onData);
      socket.pause();
      const [requestLine, ...lines] = buffered.subarray(0, end).toString('latin1').split('\r\n');
      const rest = buffered.subarray(end + 4);
      const headers = {};
      const offered = [];
      for (const line of lines) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = value;
        if (name === 'x-stream-protocol-version') {
          offered.push(value);
        }
      }
      session.requestLine = requestLine;
      session.headers = headers;
      session.offered = offered;
      const [method, target] = requestLine.split(' ');
      const url = new URL(target, 'http://localhost');
      const kind = /^\/(exec|attach)\//.test(url.pathname) ? 'remotecommand'
        : /^\/portforward\//.test(url.pathname) ? 'portforward' : null;
      const answer = (status, text) => {
        socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
      };
      if (kind === null || method !== 'POST') {
        answer('404 Not Found', '404 page not found\n');
        return;
      }
      if (!/upgrade/i.test(headers.connection || '') || !/^spdy\/3\.1$/i.test(headers.upgrade || '')) {
        answer('400 Bad Request', 'unable to upgrade: missing upgrade headers in request\n');
        return;
      }
      const supported = kind === 'remotecommand' ? REMOTECOMMAND : PORTFORWARD;
      const protocol = offered.find((p) => supported.includes(p));
      if (protocol === undefined) {
        answer('403 Forbidden', `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(offered)}, server supports ${JSON.stringify(supported)}`);
        return;
      }
      session.protocol = protocol;
      // The 101 head, the server's SETTINGS/WINDOW_UPDATE and a PING leave in one write, so the
      // client gets SPDY bytes in the same read as the head and must not drop them.
      socket.cork();
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n` +
        `X-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
      socket.on('data', (chunk) => session.tap.push(chunk));
      if (rest.length > 0) {
        session.tap.push(rest);
        socket.unshift(rest);
      }
      const conn = transport.connection.create(socket, { protocol: 'spdy', isServer: true });
      session.conn = conn;
      conn.on('error', (error) => { session.error = error.message; });
      if (session.variant === 'spdystream') {
        conn._spdyState.framer.settingsFrame = () => {};
        conn._spdyState.framer.windowUpdateFrame = () => {};
      }
      conn.start(3.1);
      conn.ping(() => { session.pingAnswered = true; });
      setImmediate(() => socket.uncork());
      if (kind === 'remotecommand') {
        serveRemotecommand(session, url.searchParams);
      } else {
        servePortforward(session);
      }
    };
    socket.on('data', onData);
  };
  const server = options.tls ? tls.createServer(options.tls, onConnection) : net.createServer(onConnection);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const scheme = options.tls ? 'https' : 'http';
      resolve({ server, sessions, base: `${scheme}://127.0.0.1:${server.address().port}` });
    });
  });
}

function runClient(args) {
  return new Promise((resolve) => {
    childProcess.execFile(process.execPath, [CLIENT, ...args], { timeout: 40000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : String(error.code || error.signal)) : 0;
      let json = null;
      try {
        json = JSON.parse(stdout);
      } catch (e) {
        // left null
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

async function runOk(args) {
  const result = await runClient(args);
  if (result.code !== 0 || result.json === null) {
    const cut = (text) => (text.length > 2000 ? `${text.slice(0, 2000)}...` : text);
    throw new Error(`client failed (exit ${result.code}) for ${cut(JSON.stringify(args))}\n` +
      `stdout: ${cut(result.stdout)}\nstderr: ${cut(result.stderr)}`);
  }
  return result;
}

async function lastSession(harness) {
  const session = harness.sessions[harness.sessions.length - 1];
  await Promise.race([session.closed, new Promise((resolve) => setTimeout(resolve, 5000))]);
  check(session.error === undefined, `server-side spdy error: ${session.error}`);
  return session;
}

function framesOf(session, type) {
  return session.tap.frames.filter((f) => f.type === type);
}

// What spdy-transport as a client puts on the wire, and what client-go would: checked on each session.
function checkWire(session, expectedTypes) {
  const frames = session.tap.frames;
  check(frames.every((f) => f.type === 'DATA' || f.version === 3), 'every control frame says version 3');
  checkEqual(frames[0].type, 'SETTINGS', 'spdy-transport opens with SETTINGS');
  checkEqual(frames[0].settings, [{ flags: 1, id: 7, value: 1048576 }],
    'SETTINGS: INITIAL_WINDOW_SIZE 1 MiB with FLAG_SETTINGS_PERSIST_VALUE');
  checkEqual(frames[1], { type: 'WINDOW_UPDATE', version: 3, flags: 0, id: 0, delta: 1048576 - 65536 },
    'then a session WINDOW_UPDATE raising the connection window to 1 MiB');
  check(session.pingAnswered, 'the server PING sent together with the 101 head was answered');
  const syns = framesOf(session, 'SYN_STREAM');
  checkEqual(session.synStreams.map((s) => s.headers.streamtype), expectedTypes, 'streams in client-go order');
  checkEqual(syns.map((f) => f.id), expectedTypes.map((_, i) => 2 * i + 1), 'odd stream ids from 1');
  check(syns.every((f) => f.flags === 0 && f.priority === 0), 'SYN_STREAM without FIN, priority 0');
  for (const s of session.synStreams) {
    const names = Object.keys(s.headers).filter((n) => !n.startsWith(':')).sort();
    const wanted = s.headers.port === undefined ? ['streamtype'] : ['port', 'requestid', 'streamtype'];
    checkEqual(names, wanted, `stream ${s.id} carries only ${wanted}`);
    checkEqual(s.headers[':method'], 'POST', 'spdy-transport adds :method');
    checkEqual(s.headers[':path'], '/', 'spdy-transport adds :path');
  }
  const goaways = framesOf(session, 'GOAWAY');
  checkEqual(goaways.map((f) => [f.lastId, f.status]), [[0, 0]], 'one GOAWAY(OK), last good stream 0');
  checkEqual(frames[frames.length - 1].type, 'GOAWAY', 'GOAWAY is the last frame');
}

async function testRemotecommand(harness, variant) {
  const base = harness.base;
  // v4 with stdin, stdout, stderr; the default protocol list; the server picks v4.
  let r = await runOk(['remotecommand', `${base}/exec/ns/pod/c?command=cat&input=1&output=1&error=1`,
    '--stdin', 'hello\n', '--stdout', '--stderr']);
  checkEqual(r.json, { protocol: 'v4.channel.k8s.io',
    streams: { error: V4_SUCCESS, stdout: 'hello\n', stderr: 'HELLO\n' } }, `v4 exec (${variant})`);
  let session = await lastSession(harness);
  checkEqual(session.offered, REMOTECOMMAND, 'client-go SPDY protocol list, in order');
  checkEqual([session.headers.connection, session.headers.upgrade, session.requestLine.split(' ')[0]],
    ['Upgrade', 'SPDY/3.1', 'POST'], 'upgrade request');
  check(session.stdinFin, 'stdin half-closed');
  checkWire(session, ['error', 'stdin', 'stdout', 'stderr']);
  const stdinData = framesOf(session, 'DATA').filter((f) => f.id === 3);
  checkEqual(stdinData.map((f) => [f.data, f.flags]), [['hello\n', 0], ['', 1]], 'stdin: data, then an empty FIN');
  checkEqual(framesOf(session, 'RST_STREAM').map((f) => [f.id, f.status]).sort(),
    [[1, 5], [5, 5], [7, 5]], 'close: RST_STREAM(CANCEL) on the streams not half-closed (not stdin)');

  // v2: the error stream stays empty on success; a --stdin-delay is honoured.
  const started = Date.now();
  r = await runOk(['remotecommand', `${base}/exec/ns/pod/c?input=1&output=1`, '--protocol', 'v2.channel.k8s.io',
    '--stdin', 'two', '--stdout', '--stdin-delay', '300']);
  checkEqual(r.json, { protocol: 'v2.channel.k8s.io', streams: { error: '', stdout: 'two' } }, `v2 exec (${variant})`);
  check(Date.now() - started >= 300, '--stdin-delay waited');
  session = await lastSession(harness);
  checkWire(session, ['error', 'stdin', 'stdout']);

  // tty on v4 with a resize: no stderr stream, a resize stream, ^D instead of a half-close.
  r = await runOk(['remotecommand', `${base}/attach/ns/pod/c?input=1&output=1&error=1&tty=1`,
    '--protocol', 'v4.channel.k8s.io', '--stdin', 'hi', '--stdout', '--stderr', '--tty', '--resize', '80,24']);
  checkEqual(r.json, { protocol: 'v4.channel.k8s.io', streams: { error: V4_SUCCESS, stdout: '[resize 80x24]hi' } },
    `v4 tty attach with resize (${variant})`);
  session = await lastSession(harness);
  checkWire(session, ['error', 'stdin', 'stdout', 'resize']);
  check(!session.stdinFin, 'tty: stdin not half-closed');
  checkEqual(framesOf(session, 'DATA').filter((f) => f.id === 7).map((f) => f.data), ['{"Width":80,"Height":24}\n'],
    'resize JSON as client-go\'s json.Encoder writes it');
  checkEqual(framesOf(session, 'DATA').filter((f) => f.id === 3).map((f) => f.data).join(''), 'hi\u0004',
    'tty stdin: text then ^D');

  // tty on v2: no resize stream, so --resize is refused; without it the attach works.
  r = await runOk(['remotecommand', `${base}/attach/ns/pod/c?input=1&output=1&tty=1`,
    '--protocol', 'v2.channel.k8s.io', '--stdin', 'x', '--stdout', '--tty']);
  checkEqual(r.json.streams, { error: '', stdout: 'x' }, `v2 tty attach (${variant})`);
  await lastSession(harness);
  r = await runClient(['remotecommand', `${base}/attach/ns/pod/c?input=1&output=1&tty=1`,
    '--protocol', 'v2.channel.k8s.io', '--stdin', 'x', '--stdout', '--tty', '--resize', '1,2']);
  check(r.code === 1 && /--resize needs/.test(r.stderr), '--resize without a resize stream fails');
  await lastSession(harness);

  // 100 kB of stdin: beyond the 64 KiB initial window, so against a server that never sends a
  // WINDOW_UPDATE (spdystream) only --ignore-flow-control gets it through.
  const large = 'abcdefghij'.repeat(10000);
  r = await runOk(['remotecommand', `${base}/exec/ns/pod/c?input=1&output=1`, '--stdin', large, '--stdout',
    ...(variant === 'spdystream' ? ['--ignore-flow-control'] : [])]);
  check(r.json.streams.error === V4_SUCCESS && r.json.streams.stdout === large, `100 kB stdin (${variant})`);
  session = await lastSession(harness);
  check(framesOf(session, 'DATA').filter((f) => f.id === 3).map((f) => f.data).join('') === large, 'stdin intact');
  check(framesOf(session, 'DATA').every((f) => f.data.length <= 8192), 'spdy-transport sends DATA in 8 KiB pieces');

  // 3 MiB on stdout: the client opens its receive windows with WINDOW_UPDATEs and prints it all.
  r = await runOk(['remotecommand', `${base}/exec/ns/pod/c?output=1&big=3145728`, '--stdout']);
  check(r.json.streams.stdout === 'a'.repeat(3145728), `3 MiB stdout printed whole (${variant})`);
  session = await lastSession(harness);
  check(framesOf(session, 'WINDOW_UPDATE').some((f) => f.id === 3) && framesOf(session, 'WINDOW_UPDATE')
    .filter((f) => f.id === 0).length > 1, 'stream and session WINDOW_UPDATEs from the client');

  // No stdin at all; --ping gets its echo.
  r = await runOk(['remotecommand', `${base}/exec/ns/pod/c?output=1`, '--stdout', '--ping']);
  checkEqual(r.json, { protocol: 'v4.channel.k8s.io', streams: { error: V4_SUCCESS, stdout: 'no stdin' }, ping: true },
    `exec without stdin, with a ping (${variant})`);
  session = await lastSession(harness);
  checkEqual(framesOf(session, 'PING').length, 2, 'one PING echoed, one PING sent');
}

async function testPortforward(harness, variant) {
  const r = await runOk(['portforward', `${harness.base}/portforward/ns/pod`, '--port', '8080', '--requests', '3',
    '--send', 'GET / HTTP/1.0\\r\\n\\r\\n']);
  checkEqual(r.json, { protocol: 'portforward.k8s.io', requests: [0, 1, 2].map((id) => ({
    id, data: 'HTTP/1.0 200 OK\r\n\r\nhello', error: '' })) }, `portforward (${variant})`);
  const session = await lastSession(harness);
  checkEqual(session.offered, PORTFORWARD, 'portforward protocol offered');
  for (const id of ['0', '1', '2']) {
    const request = session.requests[id];
    checkEqual(request.received, 'GET / HTTP/1.0\r\n\r\n', `request ${id} sent with its escapes decoded`);
    check(request.errorFinBeforeData, `request ${id}: error stream half-closed before the data stream came`);
    const types = session.synStreams.filter((s) => s.headers.requestid === id).map((s) => s.headers.streamtype);
    checkEqual(types, ['error', 'data'], `request ${id}: error stream first`);
    check(session.synStreams.every((s) => s.headers.port === '8080'), 'port header');
  }
  checkWire(session, session.synStreams.map((s) => s.headers.streamtype));
  // Data streams were not half-closed by the client: they get RST_STREAM(CANCEL); error streams not.
  const dataIds = session.synStreams.filter((s) => s.headers.streamtype === 'data').map((s) => s.id).sort();
  checkEqual(framesOf(session, 'RST_STREAM').map((f) => f.id).sort(), dataIds, 'RST only on the data streams');

  const closed = await runOk(['portforward', `${harness.base}/portforward/ns/pod`, '--port', '80',
    '--send', 'HEAD / HTTP/1.0\\r\\n\\r\\n', '--close-data']);
  checkEqual(closed.json.requests, [{ id: 0, data: 'HTTP/1.0 200 OK\r\n\r\nhello', error: '' }], '--close-data');
  const closedSession = await lastSession(harness);
  checkEqual(framesOf(closedSession, 'RST_STREAM'), [], '--close-data: every stream half-closed, no RST');
}

async function testRefusals(harness) {
  let r = await runClient(['remotecommand', `${harness.base}/exec/ns/pod/c?output=1`, '--protocol', 'v9.channel.k8s.io',
    '--stdout', '--expect-status', '403']);
  check(r.code === 0 && r.json.status === 403 && /unable to negotiate protocol/.test(r.json.body),
    `--expect-status 403: ${r.stdout}${r.stderr}`);
  r = await runClient(['remotecommand', `${harness.base}/exec/ns/pod/c?output=1`, '--protocol', 'v9.channel.k8s.io',
    '--stdout']);
  check(r.code === 1 && /403 Forbidden/.test(r.stderr) && /unable to negotiate/.test(r.stderr),
    `a refused upgrade exits 1: ${r.stderr}`);
  r = await runClient(['portforward', `${harness.base}/nowhere`, '--port', '1', '--expect-status', '404']);
  checkEqual(r.json, { status: 404, body: '404 page not found\n' }, '--expect-status 404');
}

function makeCertificate() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spdy-selftest-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const result = childProcess.spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt',
    'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  if (result.status !== 0) {
    return null;
  }
  return { dir, key, cert };
}

async function main() {
  for (const variant of ['spdystream', 'spdy-transport']) {
    const harness = await startServer({ variant });
    await testRemotecommand(harness, variant);
    await testPortforward(harness, variant);
    if (variant === 'spdystream') {
      await testRefusals(harness);
    }
    harness.server.close();
  }

  const certificate = makeCertificate();
  if (certificate === null) {
    console.error('openssl not usable: https not tested');
  } else {
    const harness = await startServer({ tls: { key: fs.readFileSync(certificate.key), cert: fs.readFileSync(certificate.cert) } });
    let r = await runOk(['remotecommand', `${harness.base}/exec/ns/pod/c?input=1&output=1`, '--stdin', 'tls',
      '--stdout', '--ca', certificate.cert, '--verbose']);
    checkEqual(r.json.streams, { error: V4_SUCCESS, stdout: 'tls' }, 'https exec verified with --ca');
    await lastSession(harness);
    r = await runOk(['portforward', `${harness.base}/portforward/ns/pod`, '--port', '1', '--send', '\\r\\n\\r\\n']);
    checkEqual(r.json.requests[0].data, 'HTTP/1.0 200 OK\r\n\r\nhello', 'https portforward without verification');
    await lastSession(harness);
    harness.server.close();
    fs.rmSync(certificate.dir, { recursive: true, force: true });
  }
  clearTimeout(timer);
  console.log(`ok ${checks} checks`);
}

main().catch((error) => {
  clearTimeout(timer);
  console.error(error.stack || error.message);
  process.exit(1);
});
