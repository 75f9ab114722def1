import { defineErrors } from '@plinto/kernel';

export const EmailErrors = defineErrors({
  /** A template uses a variable its message does not offer, or its sections do not balance. */
  EMAIL_TEMPLATE_INVALID: { status: 400, message: 'The template is invalid' },
});
