import { z } from 'zod';
import { EVENT_CATALOG, type EventCatalog, type ServiceContext } from '@plinto/kernel';
import { webhookPayloadJsonSchema } from './events';

interface EventTypesView {
  payloadSchema: Record<string, unknown>;
  items: { type: string; description: string; module: string; dataSchema: Record<string, unknown> }[];
}

const rendered = new WeakMap<EventCatalog, EventTypesView>();

/** The event catalog with each payload's JSON Schema (public: it is documentation). Rendered once per catalog. */
export async function listEventTypes(sc: ServiceContext): Promise<EventTypesView> {
  const catalog = sc.services.get(EVENT_CATALOG);
  let view = rendered.get(catalog);
  if (!view) {
    view = {
      payloadSchema: webhookPayloadJsonSchema(),
      items: catalog.list().map((spec) => ({
        type: spec.type,
        description: spec.description,
        module: spec.module,
        dataSchema: z.toJSONSchema(spec.data, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>,
      })),
    };
    rendered.set(catalog, view);
  }
  return view;
}
