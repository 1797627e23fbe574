import {
  type Bus,
  connectNatsBus,
  InProcessBus,
  isTransportError,
  type NatsBusOptions,
} from "@agora/transport";
import type { Logger } from "pino";
import { CliError } from "./errors.js";

/** NATS when a URL is given (as `identity`'s user, with its TLS), else the in-process bus (dev mode). */
export async function openBus(
  nats: string | undefined,
  name: string,
  logger: Logger,
  identity: Pick<NatsBusOptions, "auth" | "tls" | "inboxPrefix"> = {},
): Promise<Bus> {
  if (!nats) return new InProcessBus((err, subject) => logger.error({ err, subject }, "bus handler failed"));
  const bus = await connectNatsBus({ servers: nats.split(","), name, logger, ...identity }).catch(
    (err: unknown) => {
      // Why NATS refused (authorization, TLS, nobody listening) is the whole message; no stack.
      if (isTransportError(err, "CONNECTION")) throw new CliError("UNREACHABLE", `agora: ${err.message}`);
      throw err;
    },
  );
  const user = identity.auth && "user" in identity.auth ? identity.auth.user : undefined;
  logger.info({ nats, ...(user === undefined ? {} : { user }) }, "connected to NATS");
  return bus;
}

/**
 * Runs `stop` once on SIGINT or SIGTERM, then exits. A second signal exits at once, so a stuck
 * shutdown never traps the operator.
 */
export function stopOnSignal(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info({ signal }, "shutting down");
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}
