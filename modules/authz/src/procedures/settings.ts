import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { getSettings, updateSettings } from '../settings.service';
import { settingsSchema } from '../schemas';
import { TAGS } from './common';

const settingsOutput = z.object({ settings: settingsSchema, policyVersion: z.number().int() }).meta({ id: 'AuthzSettings' });

export const getSettingsProcedure = procedure
  .meta({ permission: 'policies:read', openapi: { method: 'GET', path: '/policies/settings', tags: TAGS, summary: 'Authorization settings (OPA delegation, decision-log sampling)', protect: true } })
  .input(z.object({}).optional())
  .output(settingsOutput)
  .query(({ ctx }) => getSettings(ctx.sc));

export const updateSettingsProcedure = procedure
  .meta({ permission: 'policies:configure', openapi: { method: 'PATCH', path: '/policies/settings', tags: TAGS, summary: 'Change authorization settings (merge)', protect: true } })
  .input(settingsSchema)
  .output(settingsOutput)
  .mutation(({ ctx, input }) => updateSettings(ctx.sc, input));
