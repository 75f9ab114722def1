import { useEffect, useState } from 'react';
import { Alert, Button, Group, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useCan } from '../lib/session';
import { errorText } from '../lib/format';

const lines = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

interface Passkeys {
  rpId?: string;
  rpName?: string;
  origins?: string[];
  userVerification?: 'required' | 'preferred';
}

/**
 * The tenant's passkey settings (the `passkeys` section of its settings): relying-party ID, allowed
 * origins, user verification. Read with settings:read (viewers); changed with settings:write and,
 * being security settings, settings:secure (owners) — the server decides again. An emptied field
 * goes back to its default (null).
 */
export function PasskeySettings() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canEdit = useCan('settings:write') && useCan('settings:secure');
  const query = useQuery(trpc.tenants.settings.queryOptions({}));
  const passkeys = (query.data?.settings as { passkeys?: Passkeys } | undefined)?.passkeys;
  const [form, setForm] = useState({ rpId: '', origins: '', userVerification: 'required' });
  useEffect(() => {
    if (query.data) setForm({ rpId: passkeys?.rpId ?? '', origins: (passkeys?.origins ?? []).join('\n'), userVerification: passkeys?.userVerification ?? 'required' });
  }, [query.data]);
  const save = useMutation(trpc.tenants.updateSettings.mutationOptions({ onSuccess: (data) => queryClient.setQueryData(trpc.tenants.settings.queryKey({}), data) }));
  const fields = (save.error?.data as { fields?: (string | { path: string; message: string })[] } | undefined)?.fields ?? [];
  const fieldError = (name: string) => {
    const found = fields.find((f) => typeof f !== 'string' && f.path.includes(`passkeys.${name}`));
    return typeof found === 'object' ? found.message : undefined;
  };
  const failure = query.error ?? save.error;
  return (
    // Field errors in red.9: Mantine's default error red fails WCAG AA contrast (axe).
    <Stack maw={560} gap="sm" component="section" aria-label="Passkey settings" style={{ '--mantine-color-error': 'var(--mantine-color-red-9)' } as React.CSSProperties}>
      <Title order={2} size="h3">
        Passkey settings
      </Title>
      {!canEdit && <Text size="sm">Read-only: changing passkey settings needs settings:secure (tenant owners).</Text>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const origins = lines(form.origins);
          save.mutate({
            settings: {
              passkeys: { rpId: form.rpId.trim() || null, origins: origins.length > 0 ? origins : null, userVerification: form.userVerification as 'required' | 'preferred' },
            } as never,
          });
        }}
      >
        <Stack gap="sm">
          <TextInput label="Relying-party ID" description="The domain passkeys are bound to (default: the host of PUBLIC_URL)" value={form.rpId} onChange={(e) => setForm({ ...form, rpId: e.currentTarget.value })} error={fieldError('rpId')} disabled={!canEdit} />
          <Textarea
            label="Allowed origins (one per line)"
            description="https (http only on localhost), within the relying-party ID; default: PUBLIC_URL and the app URL"
            autosize
            minRows={2}
            value={form.origins}
            onChange={(e) => setForm({ ...form, origins: e.currentTarget.value })}
            error={fieldError('origins')}
            disabled={!canEdit}
          />
          <Select
            label="User verification"
            data={[
              { value: 'required', label: 'Required (PIN or biometric; counts as multi-factor)' },
              { value: 'preferred', label: 'Preferred (presence alone accepted, as one factor)' },
            ]}
            value={form.userVerification}
            allowDeselect={false}
            onChange={(v) => setForm({ ...form, userVerification: v ?? 'required' })}
            disabled={!canEdit}
          />
          {failure && <Alert color="red.9">{errorText(failure)}</Alert>}
          {save.isSuccess && <Alert color="teal.9">Passkey settings saved.</Alert>}
          <Group>
            <Button type="submit" disabled={!canEdit || !query.data} loading={save.isPending}>
              Save passkey settings
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
