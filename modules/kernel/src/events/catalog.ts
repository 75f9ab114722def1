import type { z } from 'zod';

/**
 * The catalog of domain event types: each module declares the events it records (`action` and the
 * shape of `data`) at import time. Webhook subscribers browse it (GET /v1/webhooks/event-types),
 * and endpoint filters are checked against it. Declaring is documentation; recordEvent does not
 * validate against it, so a module that has not declared its events yet still works.
 */
export interface EventTypeSpec {
  type: string;
  description: string;
  /** The `data` object of the event. */
  data: z.ZodType;
  /** The module that records it. */
  module: string;
}

const catalog = new Map<string, EventTypeSpec>();

export function defineEventTypes(module: string, specs: Record<string, { description: string; data: z.ZodType }>): void {
  for (const [type, spec] of Object.entries(specs)) catalog.set(type, { type, module, ...spec });
}

export const eventTypeCatalog = (): EventTypeSpec[] => [...catalog.values()].sort((a, b) => a.type.localeCompare(b.type));
