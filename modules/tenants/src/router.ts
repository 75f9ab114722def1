import { router } from '@plinto/kernel';
import { createTenantProcedure } from './procedures/create-tenant';
import { listTenantsProcedure } from './procedures/list-tenants';
import { getTenantProcedure } from './procedures/get-tenant';
import { updateTenantProcedure } from './procedures/update-tenant';
import { disableTenantProcedure, enableTenantProcedure } from './procedures/set-tenant-status';
import { currentTenantProcedure } from './procedures/current-tenant';

export const tenantsRouter = router({
  create: createTenantProcedure,
  list: listTenantsProcedure,
  get: getTenantProcedure,
  update: updateTenantProcedure,
  disable: disableTenantProcedure,
  enable: enableTenantProcedure,
  current: currentTenantProcedure,
});
