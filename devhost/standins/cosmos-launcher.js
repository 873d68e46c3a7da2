#!/usr/bin/env node
// Runs @vercel/cosmosdb-server 1.0.1 as a local Cosmos DB stand-in, with three of its defects fixed
// (reference/local-stand-ins.md §A) and HTTP keep-alive on (without it every SDK call pays a new TLS handshake).
//
//   node devhost/standins/cosmos-launcher.js --port 8081 [--host 127.0.0.1]     (or COSMOS_PORT / COSMOS_HOST)
//
// Fixes, applied by replacing handler modules' exports before routes.js captures them:
//   1. a point read of a missing document (or with the wrong partition key) answers 404, not 500;
//   2. a transactional batch takes the partition key from the request header when an operation has none
//      (the Python SDK sends it only in the header);
//   3. an atomic batch that fails is rolled back, so no operation of it stays written;
// and two more found while writing the contract tests:
//   4. replacing a container (e.g. to add a composite index) keeps its documents instead of emptying it;
//   5. a patch whose target's parent does not exist answers 400, as Cosmos does, instead of writing the
//      value at the wrong level ("set /a/b" with no "a" used to set "b" on the document itself).
// These reach into the package's internals, so the version is pinned (package.json) and checked below.
"use strict";

const path = require("path");

const PKG_DIR = path.dirname(require.resolve("@vercel/cosmosdb-server/package.json"));
const PINNED = "1.0.1";
const lib = name => require(path.join(PKG_DIR, "lib", name));

function parseArgs(argv) {
  const args = { port: process.env.COSMOS_PORT, host: process.env.COSMOS_HOST || "127.0.0.1" };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === "--port" || argv[i] === "-p") args.port = argv[(i += 1)];
    else if (argv[i] === "--host") args.host = argv[(i += 1)];
  }
  const port = Number.parseInt(args.port, 10);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error("usage: cosmos-launcher.js --port <port> [--host <host>]  (or COSMOS_PORT, COSMOS_HOST)");
    process.exit(2);
  }
  return { port, host: args.host };
}

function checkVersion() {
  const { version } = require(path.join(PKG_DIR, "package.json"));
  if (version !== PINNED) {
    console.error(`cosmos-launcher patches @vercel/cosmosdb-server ${PINNED} internals; found ${version}`);
    process.exit(3);
  }
}

const NOT_FOUND = { code: "NotFound", message: "Entity with the specified id does not exist in the system." };

// 1. read-document: answer 404 for a missing document before the stock handler dereferences it.
function fixPointRead() {
  const handler = lib("handler/read-document");
  const { default: getPartitionFromHeader, parsePartitionKey } = lib("utils/get-partition-from-header");
  const stock = handler.default;
  handler.default = (account, req, res, params) => {
    const collection = account.database(params.dbId).collection(params.collId);
    const header = getPartitionFromHeader(req);
    if (collection.read() && header !== undefined) {
      let partitionKey;
      try {
        partitionKey = parsePartitionKey(header, params.docId);
      } catch (_err) {
        partitionKey = undefined;
      }
      if (partitionKey === undefined || !collection.document(params.docId, partitionKey).read()) {
        res.statusCode = 404;
        return { ...NOT_FOUND };
      }
    }
    return stock(account, req, res, params);
  };
}

// The document store of one collection keeps everything in two Maps and a counter; copies of them are a
// snapshot (stored documents are replaced, never mutated in place).
function snapshot(items) {
  return { data: new Map(items._data), index: new Map(items._index), ridCount: items._ridCount };
}

function restore(items, saved) {
  items._data = saved.data;
  items._index = saved.index;
  items._ridCount = saved.ridCount;
}

// 2 + 3. batch: our own handler over the package's single-operation functions.
function fixBatch() {
  const handler = lib("handler/batch-documents");
  const ops = lib("handler/_document-operations");
  const readJson = lib("json").default;
  const trueHeader = lib("true-header").default;
  const getPartitionFromHeader = lib("utils/get-partition-from-header").default;
  const run = {
    Create: ops.createOperation,
    Upsert: ops.upsertOperation,
    Read: ops.readOperation,
    Delete: ops.deleteOperation,
    Replace: ops.replaceOperation,
  };

  handler.default = async (account, req, res, { dbId, collId }) => {
    const body = await readJson(req);
    const collection = account.database(dbId).collection(collId);
    if (!collection.read()) {
      res.statusCode = 404;
      return { ...NOT_FOUND };
    }
    if (!Array.isArray(body)) {
      res.statusCode = 400;
      return { code: "BadRequest", message: "Invalid request body" };
    }
    const unsupported = body.find(op => !op || !run[op.operationType]);
    if (unsupported) {
      res.statusCode = 400;
      return { code: "BadRequest", message: `Operation type '${unsupported && unsupported.operationType}' is not supported in Batch.` };
    }
    const atomic = trueHeader(req, "x-ms-cosmos-batch-atomic");
    const continueOnError = trueHeader(req, "x-ms-cosmos-batch-continue-on-error");
    const headerKey = getPartitionFromHeader(req);
    const saved = atomic ? snapshot(collection.documents) : null;

    const responses = [];
    let failed = false;
    for (const input of body) {
      if (failed && !continueOnError) {
        responses.push({ statusCode: 424, requestCharge: 0 });
        continue;
      }
      const operation = input.partitionKey === undefined && headerKey !== undefined
        ? { ...input, partitionKey: headerKey }
        : input;
      let result;
      try {
        result = run[operation.operationType](collection, operation);
      } catch (err) {
        result = { statusCode: 400, body: { code: "BadRequest", message: String(err && err.message) } };
      }
      if (result.statusCode >= 400) {
        failed = true;
        responses.push({ statusCode: result.statusCode, requestCharge: 0 });
      } else {
        responses.push({
          statusCode: result.statusCode,
          requestCharge: 1,
          eTag: result.body ? result.body._etag : undefined,
          resourceBody: result.body,
        });
      }
    }
    if (failed && saved) {
      restore(collection.documents, saved);
      // As Cosmos does: the failing operation keeps its status, every other one becomes 424 Failed Dependency.
      for (const response of responses) {
        if (response.statusCode < 400) {
          response.statusCode = 424;
          response.requestCharge = 0;
          delete response.eTag;
          delete response.resourceBody;
        }
      }
    }
    return responses;
  };
}

// 4. replace-collection: the stock store builds a new, empty collection object; move the documents over.
function fixReplaceCollection() {
  const handler = lib("handler/replace-collection");
  const stock = handler.default;
  handler.default = async (account, req, res, params) => {
    const before = account.database(params.dbId).collection(params.collId);
    const kept = before.read() ? { documents: before.documents, udfs: before.userDefinedFunctions } : null;
    const body = await stock(account, req, res, params);
    if (kept && res.statusCode < 400) {
      const after = account.database(params.dbId).collection(params.collId);
      if (after !== before && after.read()) {
        kept.documents._parent = after;
        kept.udfs._parent = after;
        after.documents = kept.documents;
        after.userDefinedFunctions = kept.udfs;
      }
    }
    return body;
  };
}

// 5. patch: every set/add/incr target's parent must exist, in the document or as a value an earlier operation of
// the same patch wrote.
function segments(pointer) {
  return pointer.slice(1).split("/").map(s => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function valueAt(value, parts) {
  let current = value;
  for (const part of parts) {
    if (Array.isArray(current)) {
      const index = Number.parseInt(part, 10);
      if (!/^\d+$/.test(part) || index >= current.length) return undefined;
      current = current[index];
    } else if (current !== null && typeof current === "object" && Object.prototype.hasOwnProperty.call(current, part)) {
      current = current[part];
    } else {
      return undefined;
    }
  }
  return current;
}

function missingParent(doc, operations) {
  const written = [];
  for (const op of operations) {
    if (!op || typeof op.path !== "string" || !op.path.startsWith("/")) continue;
    const parts = segments(op.path);
    if (["set", "add", "incr"].includes(op.op) && parts.length > 1) {
      const parent = parts.slice(0, -1);
      let found = valueAt(doc, parent);
      for (const w of written) {
        if (found === undefined && w.parts.length <= parent.length && w.parts.every((p, i) => p === parent[i])) {
          found = valueAt(w.value, parent.slice(w.parts.length));
        }
      }
      if (found === null || typeof found !== "object") return op.path;
    }
    if (op.op === "set" || op.op === "add") written.push({ parts, value: op.value });
  }
  return null;
}

function fixPatchParents() {
  const patchOps = lib("handler/_patch-operations");
  const { parsePartitionKey } = lib("utils/get-partition-from-header");
  const stock = patchOps.patchOperation;
  patchOps.patchOperation = (collection, input) => {
    let doc;
    try {
      doc = collection.document(input.id, parsePartitionKey(input.partitionKey, input.id)).read();
    } catch (_err) {
      doc = undefined;
    }
    const path = doc && Array.isArray(input.operations) ? missingParent(doc, input.operations) : null;
    if (path) {
      return {
        statusCode: 400,
        body: { code: "BadRequest", message: `Patch path ${path}: its parent does not exist.` },
      };
    }
    return stock(collection, input);
  };
}

function main() {
  const { port, host } = parseArgs(process.argv.slice(2));
  checkVersion();
  fixPointRead();
  fixBatch();
  fixReplaceCollection();
  fixPatchParents();
  // Only now load the server: routes.js reads the handlers' exports once, when it is first required.
  const { createHttpsServer } = lib("index");
  const server = createHttpsServer({ keepAlive: true });
  // Longer than the Python SDK's idle pooled connections live, so a reused connection is never half-closed.
  server.keepAliveTimeout = 120000;
  server.headersTimeout = 121000;
  server.listen(port, host, () => {
    const address = server.address();
    console.log(`cosmos stand-in ready at https://${host}:${address.port}/ (pid ${process.pid})`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections(); // keep-alive connections would hold close() open
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main();
