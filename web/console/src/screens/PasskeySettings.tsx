import { useEffect, useState } from 'react';
import { Alert, Button, Group, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useSession } from '../lib/session';
import { errorText } from '../lib/format';

const lines = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

/**
 * The tenant's passkey settings (its `passkeys` settings section): relying-party ID, allowed
 * origins, user verification. They live in the tenant's settings, which only platform operators
 * change (tenants.update); anyone else is told so.
 */
export function PasskeySettings() {
  const session = useSession();
  return (
    // Field errors in red.9: Mantine's default error red fails WCAG AA contrast (axe).
    <Stack maw={560} gap="sm" component="section" aria-label="Passkey settings" style={{ '--mantine-color-error': 'var(--mantine-color-red-9)' } as React.CSSProperties}>
      <Title order={2} size="h3">
        Passkey settings
      </Title>
      {session.isPlatformOperator ? <PasskeyForm /> : <Text size="sm">Passkey settings (relying-party ID, allowed origins, user verification) are part of the tenant's settings, which the platform operator sets.</Text>}
    </Stack>
  );
}

function PasskeyForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const current = useQuery(trpc.tenants.current.queryOptions({}));
  const tenantId = current.data?.id ?? '';
  const tenant = useQuery({ ...trpc.tenants.get.queryOptions({ tenantId }), enabled: !!tenantId });
  const [form, setForm] = useState({ rpId: '', origins: '', userVerification: 'required' });
  const passkeys = (tenant.data?.settings as { passkeys?: { rpId?: string; origins?: string[]; userVerification?: 'required' | 'preferred' } } | undefined)?.passkeys;
  useEffect(() => {
    if (tenant.data) setForm({ rpId: passkeys?.rpId ?? '', origins: (passkeys?.origins ?? []).join('\n'), userVerification: passkeys?.userVerification ?? 'required' });
  }, [tenant.data]);
  const save = useMutation(trpc.tenants.update.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const failure = current.error ?? tenant.error ?? save.error;
  const fields = (save.error?.data as { fields?: { path: string; message: string }[] } | undefined)?.fields ?? [];
  const fieldError = (prefix: string) => fields.find((f) => f.path.startsWith(`settings.passkeys.${prefix}`))?.message;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        const origins = lines(form.origins);
        save.mutate({
          tenantId,
          settings: {
            passkeys: {
              ...(passkeys ?? {}),
              rpId: form.rpId.trim() || undefined,
              origins: origins.length > 0 ? origins : undefined,
              userVerification: form.userVerification as 'required' | 'preferred',
            },
          },
        });
      }}
    >
      <Stack gap="sm">
        <TextInput label="Relying-party ID" description="The domain passkeys are bound to (default: the host of PUBLIC_URL)" value={form.rpId} onChange={(e) => setForm({ ...form, rpId: e.currentTarget.value })} error={fieldError('rpId')} />
        <Textarea label="Allowed origins (one per line)" description="https (http only on localhost), within the relying-party ID; default: PUBLIC_URL and the app URL" autosize minRows={2} value={form.origins} onChange={(e) => setForm({ ...form, origins: e.currentTarget.value })} error={fieldError('origins')} />
        <Select
          label="User verification"
          data={[
            { value: 'required', label: 'Required (PIN or biometric; counts as multi-factor)' },
            { value: 'preferred', label: 'Preferred (presence alone accepted, as one factor)' },
          ]}
          value={form.userVerification}
          allowDeselect={false}
          onChange={(v) => setForm({ ...form, userVerification: v ?? 'required' })}
        />
        {failure && <Alert color="red.9">{errorText(failure)}</Alert>}
        {save.isSuccess && <Alert color="teal.9">Passkey settings saved.</Alert>}
        <Group>
          <Button type="submit" disabled={!tenantId} loading={save.isPending}>
            Save passkey settings
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
