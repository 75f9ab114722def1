import { useState } from 'react';
import { Alert, Button, Card, Checkbox, Code, Group, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useCan } from '../lib/session';
import { errorText } from '../lib/format';
import { ConfirmButton } from '../lib/Confirm';

const lines = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
const GRANTS = ['authorization_code', 'refresh_token'] as const;
/** OIDC Core requires RS256 of every provider, so every relying party can verify it; ES256/EdDSA for those that ask. */
const ID_TOKEN_ALGS = [
  { value: 'RS256', label: 'RS256 (RSA, every OIDC library)' },
  { value: 'ES256', label: 'ES256 (ECDSA P-256)' },
  { value: 'EdDSA', label: 'EdDSA (Ed25519)' },
] as const;
type IdTokenAlg = (typeof ID_TOKEN_ALGS)[number]['value'];

interface Application {
  id: string;
  name: string;
  confidential: boolean;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  allowedOrigins: string[];
  grantTypes: string[];
  idTokenSignedResponseAlg: IdTokenAlg;
}

/**
 * One OIDC application: name, redirect URIs, post-logout URIs, allowed origins, grant types, ID
 * token algorithm; a web application's client secret replaced (the new one shown once).
 * applications:write.
 */
export function ApplicationEditor({ app, onClose }: { app: Application; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan('applications:write');
  const [name, setName] = useState(app.name);
  const [redirects, setRedirects] = useState(app.redirectUris.join('\n'));
  const [postLogout, setPostLogout] = useState(app.postLogoutRedirectUris.join('\n'));
  const [origins, setOrigins] = useState(app.allowedOrigins.join('\n'));
  const [grants, setGrants] = useState<string[]>(app.grantTypes);
  const [idTokenAlg, setIdTokenAlg] = useState<IdTokenAlg>(app.idTokenSignedResponseAlg);
  const refresh = () => queryClient.invalidateQueries();
  const update = useMutation(trpc.applications.update.mutationOptions({ onSuccess: refresh }));
  const rotate = useMutation(trpc.applications.rotateSecret.mutationOptions({ onSuccess: refresh }));
  const failure = update.error ?? rotate.error;
  return (
    <Card withBorder data-testid="application-editor">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2}>Edit {app.name}</Title>
          <Button variant="default" size="xs" onClick={onClose}>
            Close
          </Button>
        </Group>
        {failure && <Alert color="red.9">{errorText(failure)}</Alert>}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate({
              id: app.id,
              name: name.trim(),
              redirectUris: lines(redirects),
              postLogoutRedirectUris: lines(postLogout),
              allowedOrigins: lines(origins),
              grantTypes: grants as (typeof GRANTS)[number][],
              idTokenSignedResponseAlg: idTokenAlg,
            });
          }}
        >
          <Stack gap="sm">
            <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} disabled={!canWrite} required />
            <Textarea label="Redirect URIs (edit, one per line)" autosize minRows={2} value={redirects} onChange={(e) => setRedirects(e.currentTarget.value)} disabled={!canWrite} />
            <Textarea label="Post-logout redirect URIs (one per line)" autosize minRows={1} value={postLogout} onChange={(e) => setPostLogout(e.currentTarget.value)} disabled={!canWrite} />
            <Textarea label="Allowed origins (CORS, one per line)" autosize minRows={1} value={origins} onChange={(e) => setOrigins(e.currentTarget.value)} disabled={!canWrite} />
            <Checkbox.Group label="Grant types" value={grants} onChange={setGrants}>
              <Group mt={4}>
                {GRANTS.map((g) => (
                  <Checkbox key={g} value={g} label={g} disabled={!canWrite} />
                ))}
              </Group>
            </Checkbox.Group>
            <Select
              label="ID token algorithm"
              description="How this application's ID tokens are signed (id_token_signed_response_alg); its library must support it"
              data={ID_TOKEN_ALGS.map((a) => ({ ...a }))}
              value={idTokenAlg}
              allowDeselect={false}
              onChange={(v) => v && setIdTokenAlg(v as IdTokenAlg)}
              disabled={!canWrite}
            />
            <Group>
              <Button type="submit" disabled={!canWrite} loading={update.isPending}>
                Save application
              </Button>
              {update.isSuccess && <Text size="sm">Saved.</Text>}
            </Group>
          </Stack>
        </form>
        {app.confidential && (
          <Group>
            <ConfirmButton
              label="Rotate client secret"
              question="The current client secret stops working now and a new one is shown once. Update the application's configuration right after."
              disabled={!canWrite}
              loading={rotate.isPending}
              onConfirm={() => rotate.mutate({ id: app.id })}
            />
          </Group>
        )}
        {rotate.data?.clientSecret && (
          <Alert color="blue.9" title="New client secret (shown once)">
            <Code data-testid="rotated-client-secret">{rotate.data.clientSecret}</Code>
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
