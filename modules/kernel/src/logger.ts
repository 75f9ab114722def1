import { pino, type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/** Keys whose values must never reach a log line (tokens, secrets, credentials). */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.refresh_token',
  '*.access_token',
];

export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, name: string): Logger {
  return pino({ name, level: config.LOG_LEVEL, redact: { paths: REDACT, censor: '[redacted]' } });
}
