import { defineErrors } from '@plinto/kernel';

export const AuditErrors = defineErrors({
  AUDIT_EVENT_NOT_FOUND: { status: 404, message: 'Audit event not found' },
  AUDIT_SCHEMA_NOT_FOUND: { status: 404, message: 'No schema is declared for this action; declare it first' },
  AUDIT_ACTION_RESERVED: { status: 409, message: 'This action name belongs to Plinto itself' },
  AUDIT_BATCH_INVALID: { status: 400, message: 'An event of the batch is invalid (see fields: events.<index>.<field>); nothing was appended' },
  AUDIT_DATA_INVALID: { status: 400, message: 'The event data does not match the declared schema' },
  AUDIT_RANGE_INVALID: { status: 400, message: 'The date range is not valid' },
  AUDIT_INTEGRITY_TENANT_REQUIRED: { status: 400, message: 'Name the tenant to verify' },
});
