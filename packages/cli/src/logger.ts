import { type Logger, pino } from "pino";

/**
 * Structured logs (pino JSON) on stderr; pretty-printed when stderr is a terminal so a person can
 * read them. `AGORA_LOG_LEVEL` sets the level (default info).
 */
export function createLogger(name: string): Logger {
  const level = process.env.AGORA_LOG_LEVEL ?? "info";
  if (process.stderr.isTTY) {
    return pino({
      name,
      level,
      transport: { target: "pino-pretty", options: { destination: 2, translateTime: "SYS:HH:MM:ss.l" } },
    });
  }
  return pino({ name, level }, pino.destination(2));
}
