import { useState } from 'react';
import { Alert, Button, Card, Code, Group, Stack, Switch, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useCan } from '../lib/session';
import { errorText } from '../lib/format';
import { ConfirmButton } from '../lib/Confirm';

interface Endpoint {
  id: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
}

/** Midnight of the day `days` ago, as a datetime-local value (the reader's clock). */
const localDaysAgo = (days: number): string => {
  const d = new Date(Date.now() - days * 86_400_000);
  d.setHours(0, 0, 0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/**
 * One endpoint: change its URL, event types and whether it is enabled; rotate its signing secret
 * (the new one is shown once; the old one keeps signing for the overlap); recover — send again
 * every message that failed since a moment. webhooks:write.
 */
export function EndpointEditor({ endpoint, onClose }: { endpoint: Endpoint; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan('webhooks:write');
  const [url, setUrl] = useState(endpoint.url);
  const [eventTypes, setEventTypes] = useState(endpoint.eventTypes);
  const [enabled, setEnabled] = useState(endpoint.enabled);
  const [since, setSince] = useState(localDaysAgo(1));
  const types = useQuery(trpc.webhooks.eventTypes.queryOptions());
  const refresh = () => queryClient.invalidateQueries();
  const update = useMutation(trpc.webhooks.updateEndpoint.mutationOptions({ onSuccess: refresh }));
  const rotate = useMutation(trpc.webhooks.rotateSecret.mutationOptions({ onSuccess: refresh }));
  const recover = useMutation(trpc.webhooks.recoverEndpoint.mutationOptions({ onSuccess: refresh }));
  const failure = update.error ?? rotate.error ?? recover.error;
  return (
    <Card withBorder data-testid="endpoint-editor">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2}>Edit endpoint</Title>
          <Button variant="default" size="xs" onClick={onClose}>
            Close
          </Button>
        </Group>
        {failure && <Alert color="red.9">{errorText(failure)}</Alert>}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate({ endpointId: endpoint.id, url: url.trim(), eventTypes, enabled });
          }}
        >
          <Stack gap="sm">
            <TextInput label="Endpoint URL (edit)" value={url} onChange={(e) => setUrl(e.currentTarget.value)} disabled={!canWrite} required />
            <TagsInput
              label="Event types"
              description="Empty: every event. Wildcards such as user.* work."
              data={(types.data?.items ?? []).map((t) => t.type)}
              value={eventTypes}
              onChange={setEventTypes}
              disabled={!canWrite}
              clearable
            />
            <Switch label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} disabled={!canWrite} />
            <Group>
              <Button type="submit" disabled={!canWrite} loading={update.isPending}>
                Save endpoint
              </Button>
              {update.isSuccess && <Text size="sm">Saved.</Text>}
            </Group>
          </Stack>
        </form>
        <Group align="end">
          <ConfirmButton
            label="Rotate secret"
            question="A new signing secret is made and shown once; the current one keeps signing deliveries for the overlap period so receivers can switch."
            disabled={!canWrite}
            loading={rotate.isPending}
            onConfirm={() => rotate.mutate({ endpointId: endpoint.id })}
          />
        </Group>
        {rotate.data && (
          <Alert color="blue.9" title="New signing secret (shown once)">
            <Code data-testid="rotated-secret">{rotate.data.secret}</Code>
          </Alert>
        )}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            recover.mutate({ endpointId: endpoint.id, since: new Date(since).toISOString() });
          }}
        >
          <Group align="end">
            <TextInput label="Recover failed messages since" type="datetime-local" value={since} onChange={(e) => setSince(e.currentTarget.value)} disabled={!canWrite} required />
            <Button type="submit" variant="default" disabled={!canWrite || !since || !endpoint.enabled} loading={recover.isPending}>
              Recover
            </Button>
          </Group>
          {/* The server refuses recovery of a disabled endpoint: it would queue messages nobody sends. */}
          {!endpoint.enabled && (
            <Text size="sm" data-testid="recover-needs-enabled">
              Enable the endpoint (and save) to recover its failed messages.
            </Text>
          )}
        </form>
        {recover.data && <Text data-testid="recovered">{recover.data.count} messages queued again.</Text>}
      </Stack>
    </Card>
  );
}
