import { useState } from 'react';
import { Alert, Button, Card, Checkbox, Group, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { useTRPC } from '../lib/trpc';
import { useCan, useSession } from '../lib/session';
import { errorText } from '../lib/format';

/**
 * Create a user: with a password (they get the verification link), or without one (they are
 * emailed a link to choose one — an invitation outside any organization). users:write.
 */
export function CreateUser() {
  const trpc = useTRPC();
  const { tenant } = useSession();
  const navigate = useNavigate();
  const canWrite = useCan('users:write');
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [sendEmail, setSendEmail] = useState(true);
  const create = useMutation(trpc.users.create.mutationOptions({ onSuccess: (user) => navigate(`/t/${tenant}/users/${user.id}`) }));
  return (
    <Card withBorder>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ email: email.trim(), displayName: name.trim() || undefined, password: password || undefined, sendEmail });
          setPassword('');
        }}
      >
        <Stack gap="sm">
          <Title order={2} size="h4">
            New user
          </Title>
          {create.error && (
            <Alert color="red.9" title="Not created">
              {errorText(create.error)}
            </Alert>
          )}
          <Group align="end" grow preventGrowOverflow={false} wrap="wrap">
            <TextInput label="New user email" type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} required miw={220} />
            <TextInput label="New user name" value={name} onChange={(e) => setName(e.currentTarget.value)} miw={180} />
            <PasswordInput
              label="Initial password"
              description="Leave empty to email them a link to choose one"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoComplete="new-password"
              miw={220}
            />
          </Group>
          <Group justify="space-between">
            <Checkbox label="Email them (verification link, or the link to choose a password)" checked={sendEmail} onChange={(e) => setSendEmail(e.currentTarget.checked)} />
            <Button type="submit" disabled={!canWrite || !email.trim()} loading={create.isPending}>
              Create user
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
