import type { AnyRouter } from '@trpc/server';
import type { z } from 'zod';
import type { Config } from './config';
import type { Logger } from './logger';
import type { Redis } from './redis';
import type { MikroORM, ModuleSchema } from './db/orm';
import type { QueueProducers } from './queues';
import type { ServiceRegistry } from './services';
import type { DomainEventMessage } from './events/record';
import type { EventTypeSpec } from './events/define';

/** What a process hands a module when it starts (api and workers alike). */
export interface ProcessDeps {
  orm: MikroORM;
  config: Config;
  logger: Logger;
  /** The process's `producer` Redis connection. */
  redis: Redis;
  /** What the modules started before this one provide (and where this one adds its own). */
  services: ServiceRegistry;
  /** Which process is starting: some services only run in one of them. */
  process: 'api' | 'workers';
  /** The whole composition, for modules that gather something from every module (e.g. permissions). */
  modules: readonly ModuleManifest[];
}

/** What a worker consumer gets: the process's ORM, config, producers and services. */
export interface ConsumerDeps {
  orm: MikroORM;
  config: Config;
  logger: Logger;
  producers: QueueProducers;
  services: ServiceRegistry;
}

/**
 * A consumer of committed domain events (webhook fan-out, key provisioning, realtime publishing).
 * Each has its own queue (`events.<name>`), retries and dead letters, so a slow or failing consumer
 * never delays or re-runs another. The relay hands events over in jobs of up to 50 (one job per
 * event would cost most of the workers' CPU in BullMQ bookkeeping); an event that fails in a batch
 * is retried alone, with the rest of its attempts, and dead-lettered alone. Delivery is
 * at-least-once: handlers dedupe by `eventId` or are idempotent.
 */
export interface DomainEventConsumer {
  name: string;
  /** Only these events are enqueued for it (default: all). */
  accepts?: (action: string) => boolean;
  /** Jobs (an event or a batch of events) in flight at once in one workers process. */
  concurrency?: number | ((config: Config) => number);
  /** One event; for a batch it is called for every event at once, unless `handleBatch` is given. */
  handle(event: DomainEventMessage, deps: ConsumerDeps): Promise<void>;
  /**
   * Several events in order, in fewer round trips than one `handle` each: returns, per event, the
   * error it failed with (retried alone) or undefined. Throwing fails every event of the batch.
   */
  handleBatch?(events: DomainEventMessage[], deps: ConsumerDeps): Promise<(Error | undefined)[]>;
}

/** Scheduled housekeeping; returns a summary (the job's return value). */
export interface MaintenanceTask {
  name: string;
  everyMs: number;
  run(deps: ConsumerDeps): Promise<Record<string, unknown>>;
}

/** Something a module keeps running in a process (an engine, a subscriber), stopped at shutdown. */
export interface Started {
  close(): Promise<void> | void;
}

/**
 * Everything a bounded context contributes, in one place. The composition root
 * (`@plinto/platform`) lists the manifests once; the api and the workers compose that list —
 * routers, schema, events, consumers, tasks, config and per-tenant settings — and nothing else
 * names the modules again.
 */
export interface ModuleManifest<Routers extends Record<string, AnyRouter> = Record<string, AnyRouter>> {
  name: string;
  /** Mounted on the app router under these keys (tRPC, REST, OpenAPI). */
  routers?: Routers;
  schema?: ModuleSchema;
  /** The module's event declarations (`defineEvents(...)`). */
  events?: { types: EventTypeSpec[] }[];
  /** Environment settings, validated with the rest of the configuration at start. */
  config?: z.ZodObject;
  /** This module's section of a tenant's settings (stored with the tenant, owned by the module). */
  tenantSettings?: z.ZodObject;
  /** Plinto permissions the module's services require, with their lowest default role. */
  permissions?: { permission: string; minimumRole: 'viewer' | 'member' | 'admin' | 'owner'; description: string }[];
  /**
   * The module's caller-facing services (each takes a ServiceContext first and decides its own
   * permission). Listed so tests can call every one directly, without a transport.
   */
  services?: Record<string, (...args: any[]) => Promise<unknown>>;
  consumers?: DomainEventConsumer[];
  maintenance?: MaintenanceTask[];
  /** Starts the module's long-lived services in a process, registering them in `deps.services`. */
  start?(deps: ProcessDeps): Promise<Started | void> | Started | void;
}

/** Keeps the literal router types (for the app router's type) while checking the shape. */
export const defineModule = <const Routers extends Record<string, AnyRouter> = Record<never, never>>(manifest: ModuleManifest<Routers>): ModuleManifest<Routers> =>
  manifest;
