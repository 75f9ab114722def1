import { procedure } from '@plinto/kernel';

/**
 * Invitation management. The permission is decided per organization by the service (a caller may
 * hold `invitations:write` in one organization only); the meta names it for the catalog, the
 * OpenAPI document and the test that walks every procedure.
 */
export const invitationsProcedure = (permission: 'invitations:read' | 'invitations:write') => procedure.meta({ permission });

export const TAGS = ['invitations'];
