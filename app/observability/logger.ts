/**
 * One logger: JSON lines, a request id on every line, secrets redacted by key and by shape.
 * Workers observability collects console output; `console.error` marks the error level.
 */
import { redact } from "./redact";

export type LogLevel = "debug" | "info" | "warn" | "error";
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  readonly requestId: string;
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger whose lines also carry `fields` (route, user id, workspace id…). */
  with(fields: LogFields): Logger;
}

export type LogSink = (level: LogLevel, line: string) => void;

const consoleSink: LogSink = (level, line) => {
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
};

export function createLogger(options: {
  requestId: string;
  level?: LogLevel;
  sink?: LogSink;
  fields?: LogFields;
}): Logger {
  const threshold = LEVELS[options.level ?? "info"];
  const sink = options.sink ?? consoleSink;
  const base = options.fields ?? {};

  const write = (level: LogLevel, event: string, fields?: LogFields) => {
    if (LEVELS[level] < threshold) return;
    const record = redact({
      ...base,
      ...fields,
      level,
      event,
      requestId: options.requestId,
      time: new Date().toISOString(),
    });
    sink(level, JSON.stringify(record));
  };

  return {
    requestId: options.requestId,
    debug: (event, fields) => write("debug", event, fields),
    info: (event, fields) => write("info", event, fields),
    warn: (event, fields) => write("warn", event, fields),
    error: (event, fields) => write("error", event, fields),
    with: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

export function newRequestId(): string {
  return crypto.randomUUID();
}
