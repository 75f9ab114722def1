import { router } from '@plinto/kernel';
import {
  getEmailTemplateProcedure,
  listEmailTemplatesProcedure,
  previewEmailTemplateProcedure,
  resetEmailTemplateProcedure,
  updateEmailTemplateProcedure,
} from './procedures/email-templates';

export const emailTemplatesRouter = router({
  list: listEmailTemplatesProcedure,
  get: getEmailTemplateProcedure,
  update: updateEmailTemplateProcedure,
  reset: resetEmailTemplateProcedure,
  preview: previewEmailTemplateProcedure,
});
