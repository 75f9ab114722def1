/**
 * @plinto/platform — the composition root: the one list of Plinto's modules. The api and the
 * workers compose this list (routers, database schema, event catalog, consumers, maintenance
 * tasks, configuration and per-tenant settings sections, process services); nothing else names
 * the modules again. A new bounded context joins Plinto by being added here.
 */
import type { AnyRouter } from '@trpc/server';
import {
  EVENT_CATALOG,
  EventCatalog,
  ServiceRegistry,
  composeSchemas,
  kernelModule,
  type ModuleManifest,
  type ProcessDeps,
  type Started,
} from '@plinto/kernel';
import { tenantsModule } from '@plinto/tenants';
import { authzModule } from '@plinto/authz';
import { authModule } from '@plinto/auth';
import { webhooksModule } from '@plinto/webhooks';
import { auditModule } from '@plinto/audit';
import { orgsModule } from '@plinto/orgs';
import { invitationsModule } from '@plinto/invitations';
import { emailModule } from '@plinto/email';
import { realtimeModule } from '@plinto/realtime';

export { contextDeps } from './context-deps';

/** Every module's section of a tenant's settings; the tenants module validates them together. */
const tenantSettingsSections = [kernelModule, authModule, auditModule, orgsModule].flatMap((m) => (m.tenantSettings ? [m.tenantSettings] : []));

/** In start order: a module's `start` may use what the modules before it provide. */
export const modules = [kernelModule, tenantsModule(tenantSettingsSections), authzModule, authModule, webhooksModule, auditModule, orgsModule, invitationsModule, emailModule, realtimeModule] as const;

const all: readonly ModuleManifest[] = modules;

/** The database schema of every module. */
export const platformSchema = composeSchemas(all.flatMap((m) => (m.schema ? [m.schema] : [])));

/** Every module's environment settings, validated with the core ones at start. */
export const configSections = all.flatMap((m) => (m.config ? [m.config] : []));

/** Every declared domain event (webhook event types, the audit action catalog, the OpenAPI `webhooks`). */
export const eventCatalog = new EventCatalog(all.flatMap((m) => m.events ?? []));

/** Each consumer of committed domain events gets its own queue (see the workers). */
export const domainEventConsumers = all.flatMap((m) => m.consumers ?? []);

export const maintenanceTasks = all.flatMap((m) => m.maintenance ?? []);

type RoutersOf<M> = M extends ModuleManifest<infer R> ? R : never;
type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;

/** Every module's routers, mounted side by side on the app router. */
export const moduleRouters = Object.assign({}, ...all.map((m) => m.routers ?? {})) as UnionToIntersection<RoutersOf<(typeof modules)[number]>> & Record<string, AnyRouter>;

/** Each module's caller-facing services, by module (tests call every one directly). */
export const moduleServices = Object.fromEntries(all.map((m) => [m.name, m.services ?? {}]));

export interface StartedModules {
  services: ServiceRegistry;
  close(): Promise<void>;
}

/** Starts every module's process services in order (and stops them in reverse). */
export async function startModules(deps: Omit<ProcessDeps, 'services' | 'modules'>): Promise<StartedModules> {
  const services = new ServiceRegistry().set(EVENT_CATALOG, eventCatalog);
  const started: Started[] = [];
  const close = async () => {
    for (const s of started.splice(0).reverse()) await s.close();
  };
  try {
    for (const module of all) {
      const running = await module.start?.({ ...deps, services, modules: all });
      if (running) started.push(running);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { services, close };
}
