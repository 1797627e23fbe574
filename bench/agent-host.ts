import { connectNatsBus } from "@agora/transport";
import { pino } from "pino";
import { type ExecutorKind, startAgents } from "./agents.js";

/**
 * A separate process of benchmark agents on NATS, as agents run on their own machines in a cluster:
 * `agent-host.ts <nats-url> <count> <resources> <noop|shell>`. Prints "ready" once all registered
 * and stops them on SIGTERM.
 */
const [url, count, resources, kind] = process.argv.slice(2);
const bus = await connectNatsBus({ servers: url!, logger: pino({ level: "silent" }) });
const agents = await startAgents(bus, Number(count), resources!, kind as ExecutorKind);
process.stdout.write("ready\n");
process.once("SIGTERM", async () => {
  await agents.stop();
  await bus.close();
  process.exit(0);
});
