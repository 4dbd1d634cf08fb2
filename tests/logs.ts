/**
 * Console capture for tests. Every line the app writes (JSON lines from the logger) is collected;
 * a `console.error` fails the test unless the test declared it expected with `expectErrorLogs()`.
 * The Worker under test runs in the same isolate as the tests, so this sees its output too.
 */
export type CapturedLine = { level: "log" | "warn" | "error"; text: string };

const state = {
  lines: [] as CapturedLine[],
  errorsExpected: false,
  originals: null as null | Pick<Console, "log" | "warn" | "error" | "info" | "debug">,
};

function stringify(args: unknown[]): string {
  return args
    .map((arg) =>
      typeof arg === "string" ? arg : arg instanceof Error ? `${arg.name}: ${arg.message}` : JSON.stringify(arg),
    )
    .join(" ");
}

export function startCapture(): void {
  state.lines = [];
  state.errorsExpected = false;
  state.originals = {
    log: console.log,
    warn: console.warn,
    error: console.error,
    info: console.info,
    debug: console.debug,
  };
  const push =
    (level: CapturedLine["level"]) =>
    (...args: unknown[]) => {
      state.lines.push({ level, text: stringify(args) });
    };
  console.log = push("log");
  console.info = push("log");
  console.debug = push("log");
  console.warn = push("warn");
  console.error = push("error");
}

/** Restores the console; returns the error lines nobody expected. */
export function stopCapture(): CapturedLine[] {
  if (state.originals) Object.assign(console, state.originals);
  state.originals = null;
  return state.errorsExpected ? [] : state.lines.filter((line) => line.level === "error");
}

/** This test provokes errors on purpose: its console.error lines are part of what it checks. */
export function expectErrorLogs(): void {
  state.errorsExpected = true;
}

export function capturedLines(): CapturedLine[] {
  return [...state.lines];
}

/** The structured (JSON) log records written so far. */
export function logRecords(): Array<Record<string, unknown>> {
  return state.lines.flatMap((line) => {
    try {
      const parsed = JSON.parse(line.text);
      return parsed && typeof parsed === "object" ? [parsed as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}
