import { type Logger, type LoggerOptions, pino } from "pino";
import pretty from "pino-pretty";
import { z } from "zod";

export const LogLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);
export type LogLevel = z.infer<typeof LogLevel>;
export const LogFormat = z.enum(["json", "pretty"]);
export type LogFormat = z.infer<typeof LogFormat>;

export interface CreateLoggerOptions {
  /** Default: `AGORA_LOG_LEVEL`, else info. */
  level?: LogLevel | undefined;
  /** Default: pretty when stderr is a terminal, else JSON (one object per line). */
  format?: LogFormat | undefined;
}

/**
 * Structured logs (pino JSON) on stderr; human-readable when stderr is a terminal (or `format:
 * "pretty"`): time, colored level, `[role]`, message, other fields on the same line. Fastify's
 * per-request lines ("incoming request", "request completed") are logged at debug whatever the
 * server says, so info shows what happens in the cluster, not every poll of a dashboard.
 */
export function createLogger(name: string, o: CreateLoggerOptions = {}): Logger {
  const level = o.level ?? (process.env.AGORA_LOG_LEVEL || "info");
  const format = o.format ?? (process.stderr.isTTY ? "pretty" : "json");
  const options: LoggerOptions = {
    name,
    level,
    hooks: { logMethod: demoteRequestLogs },
    serializers: { req: requestWithoutToken },
  };
  if (format === "json") return pino(options, pino.destination(2));
  return pino(
    options,
    // In this thread and synchronous (not a transport), so the last lines before exit are written.
    pretty({
      destination: 2,
      sync: true,
      colorize: process.stderr.isTTY === true && process.env.NO_COLOR === undefined,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname,name,role,index,component",
      singleLine: true,
      messageFormat: (log, messageKey) => {
        const role = typeof log.role === "string" ? log.role : typeof log.name === "string" ? log.name : "";
        const index = typeof log.index === "number" ? ` ${log.index}` : "";
        const component =
          typeof log.component === "string" && log.component !== role ? ` ${log.component}` : "";
        return `${role ? `[${role}${index}${component}] ` : ""}${String(log[messageKey] ?? "")}`;
      },
    }),
  );
}

/**
 * Fastify's request serializer, but a session token passed as `?access_token=` (event streams take it
 * there: `EventSource` cannot set headers) never reaches the logs.
 */
function requestWithoutToken(req: {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}) {
  return {
    method: req.method,
    url: req.url?.replace(/([?&]access_token=)[^&#]*/g, "$1[redacted]"),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

const REQUEST_MESSAGES = new Set(["incoming request", "request completed", "stream closed prematurely"]);
const INFO = 30;

/** pino's `logMethod` hook: fastify's request lines go out at debug instead of info. */
function demoteRequestLogs(
  this: Logger,
  args: Parameters<Logger["info"]>,
  method: Logger["info"],
  level: number,
) {
  if (level === INFO && typeof args[1] === "string" && REQUEST_MESSAGES.has(args[1])) {
    if (this.isLevelEnabled("debug")) this.debug(...(args as [object, string]));
    return;
  }
  method.apply(this, args);
}
