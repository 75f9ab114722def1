import { z } from 'zod';
import { procedure } from '@plinto/kernel';
import { createConnection, deleteConnection, listConnections, listSignInConnections, updateConnection } from './connections.service';
import { listMyIdentities, unlinkIdentity } from './identities.service';
import { connectionOutput, createConnectionInput, identityOutput, publicConnectionOutput, updateConnectionInput } from './schemas';

const TAGS = ['connections'];
const byId = z.object({ id: z.string().min(1).max(64) });

export const createConnectionProcedure = procedure
  .meta({ permission: 'connections:write', openapi: { method: 'POST', path: '/connections', tags: TAGS, summary: 'Add a sign-in connection (Google, GitHub, Microsoft or any OpenID Connect provider)', protect: true }, successStatus: 201 })
  .input(createConnectionInput)
  .output(connectionOutput)
  .mutation(({ ctx, input }) => createConnection(ctx.sc, input));

export const listConnectionsProcedure = procedure
  .meta({ permission: 'connections:read', openapi: { method: 'GET', path: '/connections', tags: TAGS, summary: "The tenant's sign-in connections (never their secrets)", protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ items: z.array(connectionOutput) }))
  .query(({ ctx }) => listConnections(ctx.sc));

export const updateConnectionProcedure = procedure
  .meta({ permission: 'connections:write', openapi: { method: 'PATCH', path: '/connections/{id}', tags: TAGS, summary: 'Change a sign-in connection (a new client secret, enable, disable …)', protect: true } })
  .input(updateConnectionInput)
  .output(connectionOutput)
  .mutation(({ ctx, input }) => updateConnection(ctx.sc, input));

export const deleteConnectionProcedure = procedure
  .meta({ permission: 'connections:write', openapi: { method: 'DELETE', path: '/connections/{id}', tags: TAGS, summary: 'Remove a sign-in connection and the identities linked through it', protect: true } })
  .input(byId)
  .output(z.object({ deleted: z.literal(true) }))
  .mutation(({ ctx, input }) => deleteConnection(ctx.sc, input.id));

export const signInConnectionsProcedure = procedure
  .meta({ access: 'public', openapi: { method: 'GET', path: '/auth/connections', tags: ['auth'], summary: "The tenant's enabled sign-in connections (for sign-in buttons)" } })
  .input(z.object({}).optional())
  .output(z.object({ items: z.array(publicConnectionOutput) }))
  .query(({ ctx }) => listSignInConnections(ctx.sc));

export const listIdentitiesProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'GET', path: '/identities', tags: ['identities'], summary: "The signed-in user's linked external identities", protect: true } })
  .input(z.object({}).optional())
  .output(z.object({ items: z.array(identityOutput) }))
  .query(({ ctx }) => listMyIdentities(ctx.sc));

export const unlinkIdentityProcedure = procedure
  .meta({ access: 'self', openapi: { method: 'DELETE', path: '/identities/{id}', tags: ['identities'], summary: 'Unlink an external identity (not the last way into the account)', protect: true } })
  .input(byId)
  .output(z.object({ deleted: z.literal(true) }))
  .mutation(({ ctx, input }) => unlinkIdentity(ctx.sc, input.id));
