// Drives the official @azure/web-pubsub-client against the dev hub, for tests/devhost/test_hub_official_clients.py.
//
// usage: node hub_client.mjs <client url> <reliable|json> <allowed group> <forbidden group>
// Prints one JSON object per line on stdout (what happened), reads commands from stdin, one per line:
//   send <group> <json>   sendToGroup, prints {"event":"sent", ...}
//   stop                  stops the client and exits
import { createInterface } from "node:readline";
import { WebPubSubClient, WebPubSubJsonProtocol, WebPubSubJsonReliableProtocol } from "@azure/web-pubsub-client";

const [url, protocolName, allowedGroup, forbiddenGroup] = process.argv.slice(2);
const say = (event, fields = {}) => process.stdout.write(JSON.stringify({ event, ...fields }) + "\n");

const client = new WebPubSubClient(url, {
  protocol: protocolName === "json" ? WebPubSubJsonProtocol() : WebPubSubJsonReliableProtocol(),
  messageRetryOptions: { maxRetries: 0 },
});

client.on("connected", (e) => say("connected", { connectionId: e.connectionId, userId: e.userId }));
client.on("disconnected", (e) => say("disconnected", { message: e.message?.message ?? null }));
client.on("group-message", (e) =>
  say("group-message", {
    group: e.message.group,
    dataType: e.message.dataType,
    data: e.message.data,
    fromUserId: e.message.fromUserId ?? null,
    sequenceId: e.message.sequenceId ?? null,
  }),
);
client.on("server-message", (e) =>
  say("server-message", {
    dataType: e.message.dataType,
    data: e.message.data,
    sequenceId: e.message.sequenceId ?? null,
  }),
);

async function main() {
  await client.start();
  say("started", { protocol: protocolName });
  await client.joinGroup(allowedGroup);
  say("joined", { group: allowedGroup });
  try {
    await client.joinGroup(forbiddenGroup);
    say("joined", { group: forbiddenGroup });
  } catch (err) {
    say("join-refused", { group: forbiddenGroup, name: err.errorDetail?.name ?? null, message: err.message });
  }
  say("ready");
}

const commands = createInterface({ input: process.stdin });
commands.on("line", async (line) => {
  const [command, group, ...rest] = line.trim().split(" ");
  if (command === "send") {
    try {
      const result = await client.sendToGroup(group, JSON.parse(rest.join(" ")), "json");
      say("sent", { group, ackId: result.ackId, isDuplicated: result.isDuplicated });
    } catch (err) {
      say("send-refused", { group, name: err.errorDetail?.name ?? null });
    }
  } else if (command === "stop") {
    client.stop();
    say("stopped");
    process.exit(0);
  }
});

main().catch((err) => {
  say("error", { message: String(err?.message ?? err) });
  process.exit(1);
});
