/**
 * @plinto/kernel — the shared kernel every module builds on: configuration, logging, database,
 * Redis and queues, tRPC and the request context, the error map, and the event spine.
 */
export { loadConfig, ConfigError, configSchema, type Config } from './config';
export { createLogger, type Logger } from './logger';
export { uuidv7, isUuid, randomToken, sha256, safeEqual } from './ids';
export {
  AppError,
  CommonErrors,
  defineErrors,
  errorCatalog,
  trpcCodeForStatus,
  type ErrorField,
  type ErrorSpec,
} from './errors';
export { isDependencyOutage, serviceUnavailable, retryAfterOf, OUTAGE_RETRY_AFTER_SECONDS } from './errors/outage';
export { processRegistry, collectNodeMetrics, counter, gauge, histogram } from './observability/metrics';
export { observeRecordedEvents } from './observability/recorded-events';
export { observePool, forgetPool } from './observability/pool';
export { startTracing, tracingActive, tracer, inSpan, currentTraceparent, contextOf, SpanKind, SpanStatusCode, type Span, type TracingOptions } from './observability/tracing';
export { createOrm, composeSchemas, type ModuleSchema, type MikroORM } from './db/orm';
export { ensureDatabase, dropDatabase, migrate } from './db/database';
export { insertRows } from './db/insert-rows';
export { fastQuery } from './db/fast-query';
export { INDEX_ORDER_SCANS, scanQueuesInIndexOrder } from './db/queue-scans';
export { recordEventCommitted } from './events/group-commit';
export { noteOutboxWrite } from './events/wake';
export { createRedis, redisOptions, Redis, isRedisClusterUrl } from './redis';
export {
  defineQueue,
  queueDescriptor,
  QueueProducers,
  DomainEventsQueue,
  DOMAIN_EVENTS_QUEUE,
  consumerQueue,
  MaintenanceQueue,
  domainEventMessageSchema,
  type QueueDescriptor,
  type QueueName,
} from './queues';
export {
  createContextFactory,
  createServiceContextFactory,
  callFacts,
  bearerToken,
  requestMeta,
  type CallFacts,
  type Context,
  type ContextDeps,
  type Principal,
  type RequestMeta,
  type TenantRef,
  type AuthorizationRequest,
  type AuthorizationDecision,
} from './context';
export {
  auditActor,
  requirePrincipal,
  requireUser,
  requirePlatformOperator,
  type Authz,
  type AuthzScope,
  type ServiceContext,
  type SubjectRef,
} from './service-context';
export { ServiceRegistry, serviceKey, type ServiceKey } from './services';
export { ORGANIZATION_DIRECTORY, ORGANIZATION_PROVISIONING, type OrganizationDirectory, type OrganizationProvisioning } from './organization-directory';
export { defineModule, type ModuleManifest, type ProcessDeps, type ConsumerDeps, type DomainEventConsumer, type MaintenanceTask, type Started } from './module';
export {
  router,
  middleware,
  mergeRouters,
  createCallerFactory,
  publicProcedure,
  procedure,
  plintoError,
  type PlintoMeta,
  type PlintoErrorData,
} from './trpc';
export { pageInput, pageOf, encodeCursor, decodeCursor, toPage } from './pagination';
export { AuditEvent, OutboxMessage } from './events/entities';
export {
  recordEvent,
  eventRows,
  eventCtes,
  insertEventRows,
  persistEventRows,
  SYSTEM_ACTOR,
  type Actor,
  type ActorType,
  type DomainEvent,
  type DomainEventMessage,
  type SideEffect,
  type EventRows,
} from './events/record';
import { AuditEvent, OutboxMessage } from './events/entities';
import { kernelMigrations } from './events/migrations';
import type { ModuleSchema } from './db/orm';
import { defineModule } from './module';
import { emailConfigSchema, emailTenantSettings } from './email';
import { browserTenantSettings, mfaTenantSettings } from './browser-settings';

export const kernelSchema: ModuleSchema = {
  entities: [AuditEvent, OutboxMessage],
  migrations: kernelMigrations,
};

/** The kernel's own share of the composition: the event spine's tables, the email transport settings, the browser (CORS) settings. */
export const kernelModule = defineModule({ name: 'kernel', schema: kernelSchema, config: emailConfigSchema, tenantSettings: emailTenantSettings.extend(browserTenantSettings.shape).extend(mfaTenantSettings.shape) });
export { browserTenantSettings, mfaTenantSettings, lacksRequiredMfa, webOrigin } from './browser-settings';
export { Migration } from '@mikro-orm/migrations';
export type { EntityManager } from '@mikro-orm/postgresql';
export type { InferEntity } from '@mikro-orm/core';
export { readConfigSection, tenantSection, hostListSetting, adminSetting, isAdminSetting } from './config-sections';
export { registerConfigCheck, type ConfigProblem, type ConfigCheck } from './config-checks';
export {
  EmailQueue,
  EMAIL_QUEUE,
  emailMessageSchema,
  emailTemplates,
  emailConfigSchema,
  emailFrom,
  emailTenantSettings,
  type EmailMessage,
  type EmailTemplate,
  type EmailConfig,
} from './email';
export {
  defineEvents,
  appEvent,
  EventCatalog,
  EVENT_CATALOG,
  EventDataInvalid,
  type EventDeclaration,
  type EventGroup,
  type EventInput,
  type EventTypeSpec,
} from './events/define';
export { runProcess } from './process';
export { canonicalAddress, classifyAddress, type AddressClass } from './net/address';
export {
  checkUrlShape,
  resolveDestination,
  pinnedLookup,
  systemResolver,
  DestinationRefused,
  type Destination,
  type ResolvedAddress,
  type Resolver,
} from './net/destination';
export { sendOutbound, parseRetryAfter, RESPONSE_BODY_LIMIT, type SendInput, type SendResult, type SendErrorKind } from './net/outbound-http';
export { SecretBox } from './crypto/secret-box';
export { masterKey, parseMasterKey, derivedKey, secretBoxFor } from './crypto/master-key';
export {
  AccessTokenVerifier,
  AccessTokenRejected,
  revocationKeysOf,
  ACCESS_TOKEN_TYPE,
  ACCESS_TOKEN_ALGORITHMS,
  type AccessTokenAlgorithm,
  type AccessTokenClaims,
  type AccessTokenVerifierDeps,
  type VerificationKey,
  type VerifiedAccessToken,
  type TokenRejection,
} from './tokens/verifier';
export { RevocationList, type RevocationStore, type RevocationListOptions } from './tokens/revocation';
