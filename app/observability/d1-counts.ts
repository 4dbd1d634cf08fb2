/**
 * D1 statements and round trips per request, in development only: the Worker reports them in a
 * `Server-Timing` header (`npm run bench` reads it; so can the browser's network panel). One counting
 * wrapper per binding, for the isolate's life; each request counts into its own AsyncLocalStorage
 * store, so requests served at the same time do not mix.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export type D1Counts = { roundTrips: number; statements: number };

const current = new AsyncLocalStorage<D1Counts>();
const wrapped = new WeakMap<D1Database, D1Database>();

function count(roundTrips: number, statements: number) {
  const counts = current.getStore();
  if (!counts) return;
  counts.roundTrips += roundTrips;
  counts.statements += statements;
}

const EXECUTE = new Set(["first", "all", "run", "raw"]);

function countingStatement(statement: D1PreparedStatement): D1PreparedStatement {
  return new Proxy(statement, {
    get(target, key) {
      if (key === "bind") return (...values: unknown[]) => countingStatement(target.bind(...values));
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      if (typeof key === "string" && EXECUTE.has(key)) {
        return (...args: unknown[]) => {
          count(1, 1);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/** The binding, counting what reaches D1: a batch is one round trip, a statement run alone another. */
export function countingD1(d1: D1Database): D1Database {
  let proxy = wrapped.get(d1);
  if (!proxy) {
    proxy = new Proxy(d1, {
      get(target, key) {
        if (key === "prepare") return (query: string) => countingStatement(target.prepare(query));
        if (key === "batch") {
          return (statements: D1PreparedStatement[]) => {
            count(1, statements.length);
            return target.batch(statements);
          };
        }
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    wrapped.set(d1, proxy);
  }
  return proxy;
}

/** Runs `fn`, counting the D1 work done on its behalf. */
export async function countD1<T>(fn: () => Promise<T>): Promise<[T, D1Counts]> {
  const counts: D1Counts = { roundTrips: 0, statements: 0 };
  const result = await current.run(counts, fn);
  return [result, counts];
}

/** The `Server-Timing` entry: `d1;desc="2 round trips, 13 statements"`. */
export function d1ServerTiming(counts: D1Counts): string {
  return `d1;desc="${counts.roundTrips} round trips, ${counts.statements} statements"`;
}
