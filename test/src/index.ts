export * from './harness';
export * from './processes';
export * from './db';
export * from './users';
export * from './private-postgres';
export * from './realtime';
export * from './soft-authenticator';
