import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Button, Center, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { signInOperator } from '../lib/csrf';

/**
 * Platform operators sign in with a platform key, once: the api exchanges it for an HttpOnly
 * cookie session (8 hours, ended by sign-out or by revoking the key). The key lives in this
 * form's state until it is sent, and is cleared right after — never in web storage.
 */
export function OperatorSignIn() {
  const [params] = useSearchParams();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const tenant = /^[a-z0-9-]{1,63}$/.test(params.get('tenant') ?? '') ? params.get('tenant')! : 'default';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    const failure = await signInOperator(key).catch(() => 'The api could not be reached');
    setKey('');
    setPending(false);
    if (failure) return setError(failure);
    // A full load: the console starts clean, now in operator mode.
    window.location.assign(`/admin/t/${tenant}/tenants`);
  };

  return (
    <Center mih="100vh" p="md">
      <Stack maw={440} w="100%" component="main">
        <Title order={1}>Platform operator sign-in</Title>
        <Text size="sm">
          Paste a platform key. It is checked once and exchanged for a browser session; the console does not keep it. Tenant administrators sign in on their tenant’s{' '}
          <Anchor component={Link} to={`/t/${tenant}`}>
            sign-in page
          </Anchor>
          .
        </Text>
        <form onSubmit={submit}>
          <Stack>
            {error && (
              <Alert color="red.9" title="Not signed in" role="alert">
                {error}
              </Alert>
            )}
            <PasswordInput label="Platform key" value={key} onChange={(e) => setKey(e.currentTarget.value)} autoComplete="off" required />
            <Button type="submit" loading={pending} disabled={!key}>
              Sign in as operator
            </Button>
          </Stack>
        </form>
      </Stack>
    </Center>
  );
}
