// Drives the official @azure/web-pubsub-client against the dev host's hub and the app, for the presence and
// typing tests (as tests/functions/messages/chat_client.mjs, with the plain json.webpubsub.azure.v1 protocol: the
// client's stop() closes its socket without a status code, which for a reliable session means "lost, may resume"
// and the hub keeps it for the reconnection window; presence needs the connection to end when the client stops).
//
// usage: node dm_client.mjs <client url>
//   event <name> <json>   sendEvent (the app's answer arrives as a server-message)
//   stop                  stops the client, waits for it to close, exits
import { createInterface } from "node:readline";
import { WebPubSubClient, WebPubSubJsonProtocol } from "@azure/web-pubsub-client";

const [url] = process.argv.slice(2);
const say = (event, fields = {}) => process.stdout.write(JSON.stringify({ event, ...fields }) + "\n");
const client = new WebPubSubClient(url, { protocol: WebPubSubJsonProtocol(),
                                          messageRetryOptions: { maxRetries: 0 } });

client.on("connected", (e) => say("connected", { userId: e.userId, connectionId: e.connectionId }));
client.on("server-message", (e) => say("server-message", { data: e.message.data }));
client.on("stopped", () => { say("stopped"); process.exit(0); });

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
    setTimeout(() => process.exit(0), 5000);
  }
});

client.start().then(() => say("started")).catch((err) => {
  say("error", { message: String(err?.message ?? err) });
  process.exit(1);
});
