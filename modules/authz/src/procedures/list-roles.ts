import { z } from 'zod';
import { pageInput, pageOf, procedure } from '@plinto/kernel';
import { listRoles } from '../roles.service';
import { roleOutput } from '../schemas';
import { TAGS } from './common';

export const listRolesProcedure = procedure
  .meta({ permission: 'roles:read', openapi: { method: 'GET', path: '/policies/roles', tags: TAGS, summary: 'List roles (default and custom), newest first', protect: true } })
  .input(z.object({ ...pageInput, organizationId: z.uuid().optional().describe('Tenant-wide roles plus this organization\'s') }))
  .output(pageOf(roleOutput))
  .query(({ ctx, input }) => listRoles(ctx.sc, input));
