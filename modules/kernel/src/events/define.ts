import type { z } from 'zod';
import { serviceKey } from '../services';

/**
 * Typed domain events. A module declares the events it records, each with its `data` schema:
 *
 *   export const OrgEvents = defineEvents('orgs', {
 *     'organization.created': { description: '…', data: z.object({ organizationId: z.uuid(), … }) },
 *   });
 *   recordEvent(tx, sc.actor, OrgEvents.of('organization.created', { tenantId, organizationId, target, data }));
 *
 * `of` only accepts a declared type and a `data` of its declared shape (checked by the compiler),
 * and validates `data` again when the event is recorded, so what reaches the audit log, webhooks
 * and realtime always matches its declaration. The declarations are composed into the event
 * catalog (webhook event types, the OpenAPI `webhooks` section, the SDK's event union).
 */
export interface EventDeclaration {
  description: string;
  data: z.ZodType;
}

export interface EventTypeSpec extends EventDeclaration {
  type: string;
  /** The module that records it. */
  module: string;
}

declare const DECLARED: unique symbol;

/** A state change ready to be recorded: made only by a declared constructor (or `appEvent`). */
export interface DomainEvent<Type extends string = string> {
  /** `resource.verb_past`, e.g. `tenant.created`. */
  readonly action: Type;
  readonly tenantId: string | null;
  readonly organizationId: string | null;
  readonly target: { type: string; id: string } | null;
  readonly outcome: 'success' | 'failure';
  readonly data: Record<string, unknown>;
  /** Who defined the action: Plinto itself, or the tenant's own backend (app events). */
  readonly source: 'plinto' | 'app';
  readonly [DECLARED]: true;
}

export interface EventInput<Data> {
  tenantId: string | null;
  organizationId?: string | null;
  target?: { type: string; id: string } | null;
  outcome?: 'success' | 'failure';
  data: Data;
}

export class EventDataInvalid extends Error {
  override name = 'EventDataInvalid';
}

export interface EventGroup<Specs extends Record<string, EventDeclaration>> {
  readonly module: string;
  readonly types: EventTypeSpec[];
  of<Type extends keyof Specs & string>(type: Type, input: EventInput<z.input<Specs[Type]['data']>>): DomainEvent<Type>;
}

function build(action: string, source: 'plinto' | 'app', input: EventInput<unknown>, data: Record<string, unknown>): DomainEvent {
  return {
    action,
    tenantId: input.tenantId,
    organizationId: input.organizationId ?? null,
    target: input.target ?? null,
    outcome: input.outcome ?? 'success',
    data,
    source,
  } as DomainEvent;
}

export function defineEvents<const Specs extends Record<string, EventDeclaration>>(module: string, specs: Specs): EventGroup<Specs> {
  const types = Object.entries(specs).map(([type, spec]) => ({ type, module, ...spec }));
  return {
    module,
    types,
    of(type, input) {
      const spec = specs[type];
      if (!spec) throw new EventDataInvalid(`Event ${type} is not declared by ${module}`);
      const parsed = spec.data.safeParse(input.data);
      // A programming error, not bad input: the declaration and the code recording it disagree.
      if (!parsed.success) throw new EventDataInvalid(`Event ${type} data does not match its declaration: ${parsed.error.message}`);
      return build(type, 'plinto', input, parsed.data as Record<string, unknown>) as DomainEvent<typeof type>;
    },
  };
}

/**
 * An event of any action, undeclared, for tests of the event spine itself (the relay, the chain,
 * retention). Services never use it: they record declared events only.
 */
export function undeclaredEvent(action: string, input: Omit<EventInput<Record<string, unknown>>, 'data'> & { data?: Record<string, unknown>; source?: 'plinto' | 'app' }): DomainEvent {
  return build(action, input.source ?? 'plinto', { ...input, data: input.data ?? {} }, input.data ?? {});
}

/** An event a tenant's own backend declared at run time (audit app events), already validated. */
export function appEvent(action: string, input: EventInput<Record<string, unknown>>): DomainEvent {
  return build(action, 'app', input, input.data);
}

/** Every declared event type of this installation, composed from the module manifests. */
export class EventCatalog {
  private readonly byType = new Map<string, EventTypeSpec>();

  constructor(groups: { types: EventTypeSpec[] }[]) {
    for (const spec of groups.flatMap((g) => g.types)) {
      if (this.byType.has(spec.type)) throw new Error(`Event type ${spec.type} is declared twice`);
      this.byType.set(spec.type, spec);
    }
  }

  list(): EventTypeSpec[] {
    return [...this.byType.values()].sort((a, b) => a.type.localeCompare(b.type));
  }

  get(type: string): EventTypeSpec | undefined {
    return this.byType.get(type);
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }
}

export const EVENT_CATALOG = serviceKey<EventCatalog>('kernel.event-catalog');
