/**
 * Structured JSON logs (pino). Callers log ids, codes and durations — never
 * names, phone numbers, unit labels, passwords, tokens or GraphQL variables.
 * The redact list is a second line of defence for keys that should never appear.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'courtyard' },
    redact: {
      paths: [
        '*.password',
        '*.token',
        '*.authorization',
        '*.name',
        '*.phone',
        '*.idNumber',
        '*.unitLabel',
        '*.variables',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  });
}
