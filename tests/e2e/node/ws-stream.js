// An independent WebSocket client (npm `ws`) for the Kubernetes channel protocols, so that the
// e2e suite does not test crio's streaming server only with a client that shares its author.
// usage: node ws-stream.js URL PROTOCOL [STDIN_TEXT]
// Connects, sends STDIN_TEXT on channel 0 (then v5's close signal for channel 0), collects what
// the server sends until it closes, and prints {"protocol": ..., "channels": {"N": text}} as JSON.
'use strict';
const WebSocket = require('ws');

const [url, protocol, stdin] = process.argv.slice(2);
const socket = new WebSocket(url.replace(/^http:/, 'ws:'), [protocol]);
const channels = {};
const timer = setTimeout(() => { console.error('timed out'); process.exit(2); }, 30000);

socket.on('open', () => {
  if (stdin !== undefined) {
    socket.send(Buffer.concat([Buffer.from([0]), Buffer.from(stdin)]));
    if (protocol === 'v5.channel.k8s.io') {
      socket.send(Buffer.from([255, 0]));
    }
  }
});
socket.on('message', (data) => {
  const bytes = Buffer.from(data);
  const channel = bytes[0];
  channels[channel] = (channels[channel] || '') + bytes.subarray(1).toString('utf8');
});
socket.on('close', () => {
  clearTimeout(timer);
  console.log(JSON.stringify({ protocol: socket.protocol, channels }));
});
socket.on('error', (error) => {
  clearTimeout(timer);
  console.error(error.message);
  process.exit(1);
});
