import { router } from '@plinto/kernel';
import {
  createApplicationProcedure,
  getApplicationProcedure,
  listApplicationsProcedure,
  listMyConsentsProcedure,
  revokeApplicationProcedure,
  revokeMyConsentProcedure,
  rotateApplicationSecretProcedure,
  updateApplicationProcedure,
} from './procedures/applications';

export const applicationsRouter = router({
  create: createApplicationProcedure,
  list: listApplicationsProcedure,
  get: getApplicationProcedure,
  update: updateApplicationProcedure,
  rotateSecret: rotateApplicationSecretProcedure,
  revoke: revokeApplicationProcedure,
  consents: listMyConsentsProcedure,
  revokeConsent: revokeMyConsentProcedure,
});
