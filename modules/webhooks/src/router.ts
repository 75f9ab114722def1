import { router } from '@plinto/kernel';
import { createEndpointProcedure } from './procedures/create-endpoint';
import { listEndpointsProcedure } from './procedures/list-endpoints';
import { getEndpointProcedure } from './procedures/get-endpoint';
import { updateEndpointProcedure } from './procedures/update-endpoint';
import { deleteEndpointProcedure } from './procedures/delete-endpoint';
import { rotateSecretProcedure } from './procedures/rotate-secret';
import { testEndpointProcedure } from './procedures/test-endpoint';
import { listMessagesProcedure } from './procedures/list-messages';
import { getMessageProcedure } from './procedures/get-message';
import { replayMessageProcedure } from './procedures/replay-message';
import { listDeadLettersProcedure } from './procedures/list-dead-letters';
import { recoverEndpointProcedure } from './procedures/recover-endpoint';
import { listEventTypesProcedure } from './procedures/list-event-types';

export const webhooksRouter = router({
  createEndpoint: createEndpointProcedure,
  listEndpoints: listEndpointsProcedure,
  getEndpoint: getEndpointProcedure,
  updateEndpoint: updateEndpointProcedure,
  deleteEndpoint: deleteEndpointProcedure,
  rotateSecret: rotateSecretProcedure,
  testEndpoint: testEndpointProcedure,
  listMessages: listMessagesProcedure,
  getMessage: getMessageProcedure,
  replayMessage: replayMessageProcedure,
  listDeadLetters: listDeadLettersProcedure,
  recoverEndpoint: recoverEndpointProcedure,
  eventTypes: listEventTypesProcedure,
});
