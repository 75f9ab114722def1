import { composeSchemas, kernelSchema } from '@plinto/kernel';
import { tenantsSchema } from '@plinto/tenants';
import { webhooksSchema } from '@plinto/webhooks';
import { authSchema } from '@plinto/auth';
import { authzSchema } from '@plinto/authz';
import { auditSchema } from '@plinto/audit';
import { orgsSchema } from '@plinto/orgs';
import { invitationsSchema } from '@plinto/invitations';
import { emailSchema } from '@plinto/email';

/**
 * The modules whose entities the workers load. It lists the same modules as the api's
 * platform schema (workers may not import api/), so both processes see one database schema.
 */
export const workerSchema = composeSchemas([kernelSchema, tenantsSchema, webhooksSchema, authSchema, authzSchema, auditSchema, orgsSchema, invitationsSchema, emailSchema]);
