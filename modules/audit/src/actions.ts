import { EVENT_CATALOG, requirePrincipal, type ServiceContext } from '@plinto/kernel';
import { appEventSchemas } from './app-events.service';


/**
 * Every action that can appear in this tenant's log, with a description: Plinto's own, from the
 * event catalog the modules declare and record from, and the tenant application's declared ones.
 */
export async function listActions(sc: ServiceContext) {
  requirePrincipal(sc);
  const plinto = sc.services.get(EVENT_CATALOG).list().map((t) => ({ action: t.type, description: t.description, source: 'plinto' as const, module: t.module }));
  const app = (await appEventSchemas(sc.em, sc.tenant.id)).map((s) => ({
    action: s.action,
    description: s.description ?? '',
    source: 'app' as const,
    module: null,
  }));
  return { items: [...plinto, ...app] };
}
