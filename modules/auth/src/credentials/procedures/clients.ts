import { pageOf, procedure } from '@plinto/kernel';
import { createClient, listClients, revokeClient } from '../clients.service';
import { clientOutput, createClientInput, createdClientOutput, idParam, listClientsInput } from '../schemas';

const TAGS = ['clients'];

export const createClientProcedure = procedure
  .meta({
    permission: 'clients:write',
    openapi: { method: 'POST', path: '/clients', tags: TAGS, summary: 'Create a machine client (the response holds its client secret, shown once)', protect: true },
    successStatus: 201,
  })
  .input(createClientInput)
  .output(createdClientOutput)
  .mutation(({ ctx, input }) => createClient(ctx.sc, input));

export const listClientsProcedure = procedure
  .meta({ permission: 'clients:read', openapi: { method: 'GET', path: '/clients', tags: TAGS, summary: "List the tenant's machine clients, newest first (never their secrets)", protect: true } })
  .input(listClientsInput)
  .output(pageOf(clientOutput))
  .query(({ ctx, input }) => listClients(ctx.sc, input));

export const revokeClientProcedure = procedure
  .meta({ permission: 'clients:write', openapi: { method: 'DELETE', path: '/clients/{id}', tags: TAGS, summary: 'Revoke a machine client; its secret is refused from now on', protect: true } })
  .input(idParam)
  .output(clientOutput)
  .mutation(({ ctx, input }) => revokeClient(ctx.sc, input.id));
