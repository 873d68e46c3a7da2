// Drives the official @azure/web-pubsub-client against the dev host's hub and the app, for test_chat_realtime.py.
//
// usage: node chat_client.mjs <client url>
// Prints one JSON object per line on stdout; reads commands from stdin, one per line:
//   event <name> <json>   sendEvent (the app's answer arrives as a server-message)
//   stop                  stops the client and exits
import { createInterface } from "node:readline";
import { WebPubSubClient, WebPubSubJsonReliableProtocol } from "@azure/web-pubsub-client";

const [url] = process.argv.slice(2);
const say = (event, fields = {}) => process.stdout.write(JSON.stringify({ event, ...fields }) + "\n");
const client = new WebPubSubClient(url, { protocol: WebPubSubJsonReliableProtocol(),
                                          messageRetryOptions: { maxRetries: 0 } });

client.on("connected", (e) => say("connected", { userId: e.userId }));
client.on("server-message", (e) => say("server-message", { data: e.message.data }));
client.on("group-message", (e) => say("group-message", { group: e.message.group, data: e.message.data }));

const commands = createInterface({ input: process.stdin });
commands.on("line", async (line) => {
  const [command, name, ...rest] = line.trim().split(" ");
  if (command === "event") {
    try {
      await client.sendEvent(name, JSON.parse(rest.join(" ")), "json");
      say("event-sent", { name });
    } catch (err) {
      say("event-refused", { name, message: String(err?.message ?? err) });
    }
  } else if (command === "stop") {
    client.stop();
    say("stopped");
    process.exit(0);
  }
});

client.start().then(() => say("started")).catch((err) => {
  say("error", { message: String(err?.message ?? err) });
  process.exit(1);
});
