import type { ServiceContext } from '@plinto/kernel';
import { auditConfig } from './config';
import { listAuditEvents, getAuditEvent } from './query.service';
import { auditStats } from './stats.service';
import { applyRetention } from './retention.service';
import { verifyChain } from './chain';
import { resolveScope } from './scope';
import type { AuditFilters } from './audit.schemas';

/**
 * The audit log as callers see it. Reading decides the caller's view first (see scope.ts:
 * the tenant's events with audit:read tenant-wide, an organization's with it there, else a user's
 * own); managing retention and verifying the chain need their own permissions.
 */
export async function listAuditLogs(sc: ServiceContext, input: AuditFilters & { limit: number; cursor?: string; organizationId?: string }) {
  return listAuditEvents(sc.em, await resolveScope(sc, input.organizationId), input);
}

export async function getAuditLog(sc: ServiceContext, id: string, organizationId?: string) {
  return getAuditEvent(sc.em, await resolveScope(sc, organizationId), id);
}

export async function getAuditStats(sc: ServiceContext, input: AuditFilters & { organizationId?: string }) {
  return auditStats(sc.em, await resolveScope(sc, input.organizationId), input);
}

/** Applies the tenant's retention now; needs audit:manage. */
export async function cleanupAuditLogs(sc: ServiceContext) {
  await sc.authz.require('audit:manage');
  return applyRetention(sc.em, { defaultDays: auditConfig(sc.config).AUDIT_LOG_RETENTION_DAYS, onlyTenant: sc.tenant.id, logger: sc.logger });
}

/** Verifies the tenant's hash chain; needs audit:verify. */
export async function verifyAuditIntegrity(sc: ServiceContext) {
  await sc.authz.require('audit:verify');
  return verifyChain(sc.em, sc.tenant.id);
}
