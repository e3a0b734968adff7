// One line per event on stderr: time, level, message. Record bodies never go
// in a log line at info level: rule names, counts and reasons only; keys at debug.
import type { LogLevel } from "./config.js";

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const at = (l: LogLevel) => (message: string) => {
    if (RANK[l] >= RANK[level]) write(`${new Date().toISOString()} ${l.padEnd(5)} ${message.replace(/[\r\n]+/g, " ")}\n`);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
