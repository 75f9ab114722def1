import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { passkeyRegistrationOptions, registerPasskey } from '../registration.service';
import { deletePasskey, listMyPasskeys, renamePasskey } from '../manage.service';
import { ceremonyId, ceremonyOutput, passkeyName, passkeyOutput, registrationResponse } from '../schemas';

const TAGS = ['passkeys'];
const byId = z.object({ id: z.string().min(1).max(64).describe('The passkey id') });

export const registrationOptionsProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'POST', path: '/passkeys/registration-options', tags: TAGS, summary: 'Start registering a passkey: creation options and the ceremony id', protect: true } })
  .input(z.object({}).optional())
  .output(ceremonyOutput)
  .mutation(({ ctx }) => passkeyRegistrationOptions(ctx.sc));

export const registerProcedure = procedure
  .meta({
    access: 'self',
    openapi: { method: 'POST', path: '/passkeys', tags: TAGS, summary: "Finish registering a passkey with the browser's answer", protect: true },
    successStatus: 201,
  })
  .input(z.object({ ceremonyId, response: registrationResponse, name: passkeyName.optional() }))
  .output(passkeyOutput)
  .mutation(({ ctx, input }) => registerPasskey(ctx.sc, input));

export const listProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'GET', path: '/passkeys', tags: TAGS, summary: "The signed-in user's passkeys", protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ items: z.array(passkeyOutput) }))
  .query(({ ctx }) => listMyPasskeys(ctx.sc));

export const renameProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'PATCH', path: '/passkeys/{id}', tags: TAGS, summary: 'Rename one of your passkeys', protect: true } })
  .input(byId.extend({ name: passkeyName }))
  .output(passkeyOutput)
  .mutation(({ ctx, input }) => renamePasskey(ctx.sc, input.id, input.name));

export const deleteProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'DELETE', path: '/passkeys/{id}', tags: TAGS, summary: 'Remove one of your passkeys (not the last way into a passwordless account)', protect: true } })
  .input(byId)
  .output(z.object({ deleted: z.literal(true) }))
  .mutation(({ ctx, input }) => deletePasskey(ctx.sc, input.id));
