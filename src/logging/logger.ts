import type { LoggerService, LogLevel } from '@nestjs/common';
import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import { currentRequestId } from '../common/request-context';

export type AppLogLevel = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

const PINO_LEVEL: Record<AppLogLevel, pino.Level> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * Fields that never reach a line, wherever an object carrying them is logged: credentials, cookies, bodies and the
 * pupil's number. Lines are written by our own code (no request or response objects are serialised), so this is
 * the second line of defence.
 */
export const REDACTED_PATHS = [
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'cookie', '*.cookie', 'headers.cookie', '*.headers.cookie', '*.headers["set-cookie"]',
  'body', '*.body', 'pgn', '*.pgn', 'password', '*.password', 'secret', '*.secret',
];

/** A run of exactly nine digits in a message could be a BSN or onderwijsnummer: it is masked. */
const NINE_DIGITS = /(?<!\d)\d{9}(?!\d)/g;

export function maskNineDigits(text: string): string {
  return text.replace(NINE_DIGITS, '*********');
}

/**
 * The service's logger: JSON lines (pino) on standard output, each with the id of the request it was written for;
 * human-readable lines only when a terminal is attached.
 */
export function createLogger(level: AppLogLevel, destination: DestinationStream = defaultDestination()): Logger {
  const options: LoggerOptions = {
    level: PINO_LEVEL[level],
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    messageKey: 'msg',
    redact: { paths: REDACTED_PATHS, censor: '[verborgen]' },
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
    hooks: {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') args[i] = maskNineDigits(args[i] as string);
        method.apply(this, args as Parameters<typeof method>);
      },
    },
  };
  return pino(options, destination);
}

/**
 * Standard output, through process.stdout (so that what is written can be read back in tests); on a terminal, each
 * line as `time LEVEL [context] message key=value`.
 */
function defaultDestination(): DestinationStream {
  if (!process.stdout.isTTY) return { write: (line: string) => void process.stdout.write(line) };
  return { write: (line: string) => void process.stdout.write(prettyLine(line)) };
}

export function prettyLine(line: string): string {
  try {
    const { time, level, msg, context, ...rest } = JSON.parse(line) as Record<string, unknown>;
    delete rest.pid;
    const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
    const when = typeof time === 'string' ? time.slice(11, 23) : '';
    return `${when} ${String(level).toUpperCase().padEnd(5)} ${context ? `[${String(context)}] ` : ''}${String(msg ?? '')}${extra ? `  ${extra}` : ''}\n`;
  } catch {
    return line;
  }
}

/** Nest's logger interface on pino: Nest's own lines (start, routes) and every `new Logger(context)` of ours. */
export class PinoNestLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    // Nest passes (message, stack, context) or (message, context).
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? rest.pop() : undefined;
    const stack = rest.find((r) => typeof r === 'string' && r.includes('\n    at '));
    this.emit('error', message, context as string | undefined, stack ? { stack: maskNineDigits(stack as string) } : {});
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }
  setLogLevels(levels: LogLevel[]): void {
    const order: [LogLevel, pino.Level][] = [['verbose', 'trace'], ['debug', 'debug'], ['log', 'info'], ['warn', 'warn'], ['error', 'error'], ['fatal', 'fatal']];
    this.pino.level = order.find(([nest]) => levels.includes(nest))?.[1] ?? 'silent';
  }

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    this.emit(level, message, context, {});
  }

  private emit(level: pino.Level, message: unknown, context: string | undefined, extra: Record<string, unknown>): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields = context ? { context, ...extra } : extra;
    if (message instanceof Error) this.pino[level]({ ...fields, err: { type: message.name, stack: maskNineDigits(message.stack ?? '') } }, message.message);
    else if (typeof message === 'string') this.pino[level](fields, message);
    else this.pino[level]({ ...fields, data: message }, '');
  }
}
