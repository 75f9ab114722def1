/**
 * Service contexts for tests and benchmarks that call one module's services without an api
 * process. Apart from the rest of `@plinto/kernel/testing` because it needs no test run (no
 * per-run Redis or template database), so `bench/` can use it too.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Principal, TenantRef } from '../context';
import type { Redis } from '../redis';
import { createLogger } from '../logger';
import { ServiceRegistry } from '../services';
import { auditActor, type ServiceContext } from '../service-context';

export { undeclaredEvent } from '../events/define';

const OPERATOR: Principal = { kind: 'platform_operator', id: 'test-operator', tenantId: null, attributes: {} };

/**
 * A service context acting as a platform operator, for integration tests of one module without an
 * api process: operators hold every permission (as the decision engine answers for them), so the
 * services' own checks pass. Tests of who may do what go through the api's real engine instead.
 */
export function operatorContext(input: { em: EntityManager; config: Config; tenant: TenantRef; services?: ServiceRegistry; redis?: Redis }): ServiceContext {
  const request = { requestId: 'test', ip: '127.0.0.1', userAgent: 'test' };
  return {
    em: input.em,
    config: input.config,
    logger: createLogger({ LOG_LEVEL: 'silent' }, 'test'),
    redis: input.redis ?? (undefined as never),
    request,
    tenant: input.tenant,
    principal: OPERATOR,
    actor: auditActor(request, OPERATOR),
    authz: { can: async () => true, require: async () => undefined, requireOutranks: async () => undefined, requireCanConfer: async () => undefined },
    services: input.services ?? new ServiceRegistry(),
  };
}
