// Parses an AsyncAPI document with the official parser (the one the AsyncAPI CLI and Studio use),
// resolving its $refs to the JSON Schemas next to it, and prints one JSON object on stdout:
//   {"diagnostics": [{"severity", "code", "message", "path"}],
//    "document": {"servers": {...}, "channels": {address: {message id: {...}}}} or null}
// — the diagnostics, and what the parser understood the servers and messages to be, so that a test
// can check the contract as an AsyncAPI tool reads it, not as our generator meant it.
// Exit status: 0 without errors or warnings, 1 with any, 2 when the parser could not run.
//
//   node tools/asyncapi/validate.mjs contracts/asyncapi.yaml
import { resolve } from "node:path";
import { Parser, fromFile } from "@asyncapi/parser";

const SEVERITY = ["error", "warning", "information", "hint"];

function describe(document) {
  const servers = {};
  for (const server of document.servers().all()) {
    servers[server.id()] = {
      host: server.host(),
      protocol: server.protocol(),
      security: server.security().flatMap((requirement) => requirement.all().map((r) => r.scheme().type())),
    };
  }
  const channels = {};
  for (const channel of document.channels().all()) {
    const messages = {};
    for (const message of channel.messages().all()) {
      const kafka = message.bindings().get("kafka");
      messages[message.id()] = {
        summary: message.summary() ?? null,
        key: kafka ? (kafka.value().key ?? null) : null,
        headers: message.hasHeaders() ? message.headers().json() : null,
        required: message.payload()?.json().required ?? [],
      };
    }
    channels[channel.address()] = messages;
  }
  return { description: document.info().description() ?? "", servers, channels };
}

const path = process.argv[2];
if (!path) {
  console.error("usage: node validate.mjs <asyncapi document>");
  process.exit(2);
}
try {
  const { document, diagnostics } = await fromFile(new Parser(), resolve(path)).parse();
  const found = diagnostics.map((d) => ({
    severity: SEVERITY[d.severity],
    code: d.code,
    message: d.message,
    path: d.path.join("."),
  }));
  const status = document && diagnostics.every((d) => d.severity > 1) ? 0 : 1;
  // Exit only once stdout has taken it all: to a pipe, writes are asynchronous, and an exit right
  // after console.log cuts the report at 64 KiB.
  const report = JSON.stringify({ diagnostics: found, document: document ? describe(document) : null });
  process.stdout.write(`${report}\n`, () => process.exit(status));
} catch (error) {
  console.error(`the AsyncAPI parser failed: ${error.stack || error}`);
  process.exit(2);
}
