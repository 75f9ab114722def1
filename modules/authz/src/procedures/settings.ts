import { z } from 'zod';
import { protectedProcedure } from '@plinto/kernel';
import { getSettings, updateSettings } from '../settings.service';
import { settingsSchema } from '../schemas';
import { TAGS, authzDeps } from './common';

const settingsOutput = z.object({ settings: settingsSchema, policyVersion: z.number().int() }).meta({ id: 'AuthzSettings' });

export const getSettingsProcedure = protectedProcedure('policies:read')
  .meta({ openapi: { method: 'GET', path: '/policies/settings', tags: TAGS, summary: 'Authorization settings (OPA delegation, decision-log sampling)', protect: true } })
  .input(z.object({}).optional())
  .output(settingsOutput)
  .query(({ ctx }) => getSettings(authzDeps(ctx).engine, ctx.tenant.id));

export const updateSettingsProcedure = protectedProcedure('policies:configure')
  .meta({ openapi: { method: 'PATCH', path: '/policies/settings', tags: TAGS, summary: 'Change authorization settings (merge)', protect: true } })
  .input(settingsSchema)
  .output(settingsOutput)
  .mutation(({ ctx, input }) => {
    const { engine, caller } = authzDeps(ctx);
    return updateSettings(ctx.em, engine, caller, input);
  });
