import { pageOf, protectedProcedure } from '@plinto/kernel';
import { createClient, listClients, revokeClient } from '../clients.service';
import { clientOutput, createClientInput, createdClientOutput, idParam, listClientsInput } from '../schemas';
import { callerOf } from './caller';

const TAGS = ['clients'];

export const createClientProcedure = protectedProcedure('clients:write')
  .meta({
    openapi: { method: 'POST', path: '/clients', tags: TAGS, summary: 'Create a machine client (the response holds its client secret, shown once)', protect: true },
    successStatus: 201,
  })
  .input(createClientInput)
  .output(createdClientOutput)
  .mutation(({ ctx, input }) => createClient(ctx.em, callerOf(ctx), input));

export const listClientsProcedure = protectedProcedure('clients:read')
  .meta({ openapi: { method: 'GET', path: '/clients', tags: TAGS, summary: "List the tenant's machine clients, newest first (never their secrets)", protect: true } })
  .input(listClientsInput)
  .output(pageOf(clientOutput))
  .query(({ ctx, input }) => listClients(ctx.em, ctx.tenant.id, input));

export const revokeClientProcedure = protectedProcedure('clients:write')
  .meta({ openapi: { method: 'DELETE', path: '/clients/{id}', tags: TAGS, summary: 'Revoke a machine client; its secret is refused from now on', protect: true } })
  .input(idParam)
  .output(clientOutput)
  .mutation(({ ctx, input }) => revokeClient(ctx.em, callerOf(ctx), input.id));
