import {
  createRedis,
  serviceKey,
  type ServiceRegistry,
  type AuthorizationDecision,
  type AuthorizationRequest,
  type Config,
  type Logger,
  type MikroORM,
  type Redis,
} from '@plinto/kernel';
import { IsolationLevel } from '@mikro-orm/core';
import { MikroOrmCasbinAdapter } from '../adapter';
import { authzConfig, type AuthzConfig } from '../config';
import type { PermissionSpec } from '../catalog';
import { ensureTenantSeeded } from '../seed';
import type { AuthzSettings } from '../schemas';
import { CompiledPolicy, type Decision, type DecisionRequest } from './compiled';
import { compileConditions, mfaFromAmr, type CompiledConditions, type DecisionContext, type PolicyConditions } from './conditions';
import { DecisionCache } from './decision-cache';
import { countDecision } from '../metrics';
import { DecisionLog } from './decision-log';
import { linesOf, newPlintoModel } from './casbin';
import { TENANT_WIDE, policySource, type GroupingLine, type PolicyLine } from './model';
import { queryOpa } from './opa';
import { principalSubject } from './subjects';
import type { PolicyDelta } from '../changes';

/** Deltas larger than this are not sent; receivers reload the tenant instead. */
const MAX_DELTA_RULES = 20_000;

export interface TenantSnapshot {
  tenantId: string;
  version: number;
  compiled: CompiledPolicy;
  settings: AuthzSettings;
  loadedAt: number;
}

/** A tenant's policy as data, at one version. */
export interface PolicySource {
  version: number;
  policy: PolicyLine[];
  grouping: GroupingLine[];
  /** Condition documents by source (`policy:<id>`). */
  conditions: Record<string, PolicyConditions>;
  settings: AuthzSettings;
}

export type DecidedBy = 'engine' | 'opa' | 'timeout' | 'error';

export interface EngineDecision extends Decision {
  version: number;
  decidedBy: DecidedBy;
}

export interface EngineDeps {
  orm: MikroORM;
  config: Config;
  logger: Logger;
  catalog: PermissionSpec[];
}

interface Slot {
  snapshot?: TenantSnapshot;
  loading?: Promise<TenantSnapshot>;
  /** The lowest version this process may use (raised by change notifications). */
  required: number;
}

/**
 * The decision engine of one api process: per-tenant compiled policies (loaded through the Casbin
 * adapter, rebuilt when the version changes), a decision cache keyed by policy version, change
 * notifications over Redis pub/sub so every process enforces a change within a second, OPA
 * delegation, the evaluation timeout (deny past it), and the sampled decision log.
 */
export class AuthzEngine {
  readonly settings: AuthzConfig;
  readonly cache: DecisionCache;
  readonly channel: string;
  private readonly slots = new Map<string, Slot>();
  private readonly decisionLog: DecisionLog;
  private subscriber?: Redis;
  private publisher?: Redis;
  private closed = false;

  constructor(readonly deps: EngineDeps) {
    this.settings = authzConfig(deps.config);
    this.cache = new DecisionCache(this.settings.POLICY_DECISION_CACHE_SIZE, this.settings.POLICY_CACHE_TTL * 1000);
    this.channel = `${deps.config.QUEUE_PREFIX}:authz:policy-changed`;
    this.decisionLog = new DecisionLog(deps.orm, deps.logger);
  }

  get catalog(): PermissionSpec[] {
    return this.deps.catalog;
  }

  /** Subscribes to change notifications; resolves once subscribed (or after 2 s without Redis). */
  async start(): Promise<void> {
    const subscriber = createRedis(this.deps.config.REDIS_URL, 'worker', 'plinto-authz-sub');
    this.subscriber = subscriber;
    this.publisher = createRedis(this.deps.config.REDIS_URL, 'producer', 'plinto-authz-pub');
    subscriber.on('message', (_channel: string, message: string) => {
      let parsed: { tenantId: string; version: number; delta?: PolicyDelta };
      try {
        parsed = JSON.parse(message) as typeof parsed;
      } catch {
        return; // not ours
      }
      this.apply(parsed.tenantId, parsed.version, parsed.delta);
    });
    let subscribedOnce = false;
    // After a reconnect we may have missed notifications: forget every compiled policy.
    subscriber.on('ready', () => {
      if (subscribedOnce) this.invalidateAll();
    });
    await Promise.race([
      subscriber.subscribe(this.channel).then(() => {
        subscribedOnce = true;
      }),
      new Promise((resolve) => setTimeout(resolve, 2000).unref()),
    ]).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'authz: change notifications unavailable'));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.decisionLog.close();
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
  }

  /** Forget a tenant's compiled policy older than `version` (from a notification or a local change). */
  invalidate(tenantId: string, version: number): void {
    this.apply(tenantId, version, undefined);
  }

  /**
   * Brings the tenant's compiled policy to `version`: by applying the delta when it is the next
   * version (no reload, no scan), otherwise by dropping it so the next decision reloads it.
   */
  apply(tenantId: string, version: number, delta: PolicyDelta | undefined): void {
    const slot = this.slots.get(tenantId);
    if (!slot) return;
    slot.required = Math.max(slot.required, version);
    const snapshot = slot.snapshot;
    if (!snapshot || snapshot.version >= version) return;
    if (delta && snapshot.version === version - 1) {
      const conditions = new Map(Object.entries(delta.conditions).map(([source, c]) => [source, compileConditions(c)]));
      if (snapshot.compiled.apply(delta.ops, version, (source) => conditions.get(source) ?? null)) {
        snapshot.version = version;
        return;
      }
    }
    slot.snapshot = undefined;
  }

  invalidateAll(): void {
    for (const slot of this.slots.values()) slot.snapshot = undefined;
  }

  /** Called after a policy change committed: enforce it here now, and everywhere via pub/sub. */
  async changed(tenantId: string, version: number, delta?: PolicyDelta): Promise<void> {
    this.apply(tenantId, version, delta);
    const size = delta ? delta.ops.reduce((n, op) => n + (op.op === 'add' ? op.rules.length : 1), 0) : 0;
    try {
      await this.publisher?.publish(this.channel, JSON.stringify({ tenantId, version, ...(delta && size <= MAX_DELTA_RULES ? { delta } : {}) }));
    } catch (error) {
      // Other processes then pick the change up when their compiled policy expires (POLICY_CACHE_TTL).
      this.deps.logger.warn({ err: error, tenantId }, 'authz: could not publish a policy change');
    }
  }

  /** The tenant's compiled policy at (at least) the latest version this process has heard of. */
  async snapshot(tenantId: string): Promise<TenantSnapshot> {
    return this.readySnapshot(tenantId) ?? this.loadSlot(tenantId, this.slotOf(tenantId));
  }

  private slotOf(tenantId: string): Slot {
    let slot = this.slots.get(tenantId);
    if (!slot) this.slots.set(tenantId, (slot = { required: 0 }));
    return slot;
  }

  private loadSlot(tenantId: string, slot: Slot): Promise<TenantSnapshot> {
    return (slot.loading ??= this.load(tenantId, slot).finally(() => {
      slot.loading = undefined;
    }));
  }

  /** The compiled policy when it is in memory and current (the common case), without awaiting. */
  private readySnapshot(tenantId: string): TenantSnapshot | undefined {
    const slot = this.slots.get(tenantId);
    const current = slot?.snapshot;
    if (!slot || !current || current.version < slot.required) return undefined;
    // Past the TTL (a safety net for lost notifications) it is refreshed in the background: no
    // change is known, so deciding on it meanwhile is as correct as it was a moment ago.
    if (Date.now() - current.loadedAt >= this.settings.POLICY_CACHE_TTL * 1000 && !slot.loading) {
      this.loadSlot(tenantId, slot).catch((error: unknown) => this.deps.logger.warn({ err: error, tenantId }, 'authz: background policy refresh failed'));
    }
    return current;
  }

  private async load(tenantId: string, slot: Slot): Promise<TenantSnapshot> {
    for (let attempt = 0; ; attempt++) {
      const snapshot = await this.read(tenantId);
      // A notification for a newer version arrived while we were reading: read again.
      if (snapshot.version < slot.required && attempt < 3) continue;
      slot.snapshot = snapshot;
      return snapshot;
    }
  }

  /** Reads version, lines and conditions in one repeatable-read transaction (a consistent cut). */
  private async read(tenantId: string): Promise<TenantSnapshot> {
    const source = await this.readSource(tenantId);
    const conditions = new Map<string, CompiledConditions | null>(Object.entries(source.conditions).map(([src, c]) => [src, compileConditions(c)]));
    return {
      tenantId,
      version: source.version,
      compiled: new CompiledPolicy(source.version, source.policy, source.grouping, (src) => conditions.get(src) ?? null),
      settings: source.settings,
      loadedAt: Date.now(),
    };
  }

  /**
   * The tenant's policy as data (lines and condition documents at one version): what the engine
   * compiles, and what a signed policy bundle carries to the edge, which compiles it the same way.
   */
  async readSource(tenantId: string): Promise<PolicySource> {
    const em = this.deps.orm.em.fork();
    if (await ensureTenantSeeded(em, tenantId, this.deps.catalog)) {
      // Other processes may hold this tenant from before the (re)seed.
      const [state] = (await em.execute('select version from authz_tenant_state where tenant_id = ?', [tenantId])) as { version: string }[];
      if (state) void this.changed(tenantId, Number(state.version));
    }
    return em.transactional(
      async (tx) => {
        const [state] = (await tx.execute('select version, settings from authz_tenant_state where tenant_id = ?', [tenantId])) as {
          version: string;
          settings: AuthzSettings;
        }[];
        const model = newPlintoModel();
        await new MikroOrmCasbinAdapter(tx, tenantId).loadFilteredPolicy(model);
        const conditional: { id: string; conditions: PolicyConditions }[] = await tx.execute(
          'select id, conditions from authz_policies where tenant_id = ? and conditions is not null',
          [tenantId],
        );
        const { policy, grouping } = linesOf(model);
        return {
          version: Number(state?.version ?? 0),
          policy,
          grouping,
          conditions: Object.fromEntries(conditional.map((row) => [policySource(row.id), row.conditions])),
          settings: state?.settings ?? {},
        };
      },
      { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
    );
  }

  /**
   * One decision, bounded by POLICY_EVALUATION_TIMEOUT (past it: deny). `context` is built lazily:
   * most decisions meet no conditional rule and never need it.
   */
  async decide(
    tenantId: string,
    request: DecisionRequest,
    context: () => DecisionContext,
    options: { explain?: boolean; log?: Record<string, unknown>; delegate?: boolean } = {},
  ): Promise<EngineDecision> {
    const delegate = options.delegate ?? false;
    // Fast path: the compiled policy is in memory and decides synchronously (microseconds), so
    // there is nothing a timer could interrupt.
    const ready = this.readySnapshot(tenantId);
    if (ready && !(delegate && ready.settings.opa)) {
      const decision = this.decideOn(ready, request, context, options.explain ?? false);
      countDecision(decision);
      this.maybeLog(tenantId, request, decision, options.log);
      return decision;
    }
    const timeoutMs = this.settings.POLICY_EVALUATION_TIMEOUT;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<EngineDecision>((resolve) => {
      timer = setTimeout(
        () => resolve({ allow: false, source: null, reason: `evaluation exceeded ${timeoutMs} ms: denied`, conditional: true, version: -1, decidedBy: 'timeout' }),
        timeoutMs,
      );
    });
    const work = this.decideNow(tenantId, request, context, options.explain ?? false, timeoutMs, delegate).catch((error: unknown): EngineDecision => {
      this.deps.logger.error({ err: error, tenantId }, 'authz: decision failed; denying');
      return { allow: false, source: null, reason: 'the decision failed: denied', conditional: true, version: -1, decidedBy: 'error' };
    });
    const decision = await Promise.race([work, timeout]).finally(() => clearTimeout(timer));
    countDecision(decision);
    this.maybeLog(tenantId, request, decision, options.log);
    return decision;
  }

  private async decideNow(tenantId: string, request: DecisionRequest, context: () => DecisionContext, explain: boolean, timeoutMs: number, delegate: boolean): Promise<EngineDecision> {
    const snapshot = await this.snapshot(tenantId);
    // A tenant's OPA server decides its application's permissions only, never Plinto's own.
    const opa = delegate ? snapshot.settings.opa : undefined;
    if (!opa) return this.decideOn(snapshot, request, context, explain);
    const ctx = context();
    const result = await queryOpa(
      opa,
      {
        tenantId,
        subject: request.subject,
        action: request.action,
        resource: request.resource,
        organizationId: request.domain === TENANT_WIDE ? null : request.domain,
        context: { ip: ctx.ip, time: ctx.time.toISOString(), mfa: ctx.mfa, subject: ctx.subjectAttributes, resource: ctx.resourceAttributes, ...ctx.extra },
      },
      timeoutMs,
      this.settings.POLICY_OPA_ALLOWED_HOSTS,
    );
    return { allow: result.allow, source: null, reason: result.reason, conditional: true, version: snapshot.version, decidedBy: 'opa' };
  }

  /** A decision on an in-memory compiled policy, through the decision cache. */
  private decideOn(snapshot: TenantSnapshot, request: DecisionRequest, context: () => DecisionContext, explain: boolean): EngineDecision {
    // A credential's own roles are part of who is asking: they belong in the key with the subject.
    const subject = request.roles?.length ? `${request.subject}\u0001${request.roles.join(',')}` : request.subject;
    const key = explain ? null : DecisionCache.key(snapshot.tenantId, snapshot.version, subject, request.domain, request.action, request.resource);
    const cached = key ? this.cache.get(key) : undefined;
    if (cached) return { ...cached, version: snapshot.version, decidedBy: 'engine' };
    const decision = snapshot.compiled.decide(request, context, explain);
    if (key && !decision.conditional) this.cache.set(key, decision);
    return { ...decision, version: snapshot.version, decidedBy: 'engine' };
  }

  private maybeLog(tenantId: string, request: DecisionRequest, decision: EngineDecision, input: Record<string, unknown> | undefined): void {
    const slot = this.slots.get(tenantId);
    const rate = slot?.snapshot?.settings.decisionLogSampleRate ?? this.settings.POLICY_DECISION_LOG_SAMPLE_RATE;
    if (rate <= 0 || this.closed || Math.random() >= rate) return;
    this.decisionLog.add(tenantId, request, decision, input ?? {});
  }

  /**
   * The one place Plinto's own permissions are decided (behind every service context's authorizer),
   * always by this engine: a tenant's OPA delegation covers its application's permissions only.
   */
  async authorize(request: AuthorizationRequest & { resourceAttributes?: Record<string, unknown> }): Promise<AuthorizationDecision> {
    const { principal, tenant } = request;
    // The operator who runs the installation manages any tenant it names.
    if (principal.kind === 'platform_operator') return { allow: true, reason: 'platform operator' };
    if (principal.tenantId !== tenant.id) return { allow: false, reason: 'the credential belongs to another tenant' };
    const domain = request.organizationId ?? TENANT_WIDE;
    // Users by their assignments; API keys and machine clients by the roles their credential carries.
    const { subject, roles } = principalSubject(principal, domain);
    const resource = request.resource ?? (request.organizationId ? `organization:${request.organizationId}` : `tenant:${tenant.id}`);
    const decision = await this.decide(
      tenant.id,
      { subject, domain, action: request.permission, resource, ...(roles ? { roles } : {}) },
      () => ({
        ip: request.request.ip,
        time: new Date(),
        // The session's authentication level: its methods (RFC 8176 amr), or an assurance level of 2+.
        mfa: mfaFromAmr(principal.attributes.amr) || Number(principal.attributes.aal) >= 2,
        subject,
        subjectAttributes: { ...principal.attributes, kind: principal.kind },
        resource,
        resourceAttributes: request.resourceAttributes ?? {},
        extra: {},
      }),
      { log: { principalKind: principal.kind, ip: request.request.ip, requestId: request.request.requestId } },
    );
    return { allow: decision.allow, reason: decision.reason };
  }
}

/** The decision engine of this process, in its service registry. */
export const AUTHZ_ENGINE = serviceKey<AuthzEngine>('authz.engine');

/** The process's engine, from a service context (or anything carrying the registry). */
export const engineOf = (sc: { services: ServiceRegistry }): AuthzEngine => sc.services.get(AUTHZ_ENGINE);

export async function startAuthzEngine(deps: EngineDeps): Promise<AuthzEngine> {
  const engine = new AuthzEngine(deps);
  await engine.start();
  return engine;
}
