// Calls RuntimeService/Version with @grpc/grpc-js over crio's unix socket and prints the answer
// as JSON. Usage: node grpc-version.js SOCKET PROTO [AUTHORITY]
// AUTHORITY, when given, is sent as :authority (Go clients before grpc-go 1.63-era send the
// socket path there), otherwise grpc-js picks its own default for unix targets.
'use strict';
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [socketPath, protoPath, authority] = process.argv.slice(2);
const definition = protoLoader.loadSync(protoPath, { longs: String, enums: String, defaults: true });
const runtime = grpc.loadPackageDefinition(definition).runtime.v1;
const options = authority ? { 'grpc.default_authority': authority } : {};
const client = new runtime.RuntimeService(`unix://${socketPath}`, grpc.credentials.createInsecure(), options);

client.Version({ version: '0.1.0' }, { deadline: Date.now() + 15000 }, (error, response) => {
  client.close();
  if (error) {
    console.error(`grpc error ${error.code}: ${error.details}`);
    process.exit(1);
  }
  console.log(JSON.stringify(response));
});
