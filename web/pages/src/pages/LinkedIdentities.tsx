import { useEffect, useState } from 'react';
import { Button, Card, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { mutation, pagePath, query } from '../api';
import { param } from '../router';
import { socialErrorMessage, t } from '../strings';
import { ErrorAlert, Notice, useSubmission } from '../ui';

interface Identity {
  id: string;
  connection: string;
  provider: string;
  name: string;
  email: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

interface Connection {
  slug: string;
  name: string;
  startUrl: string;
}

/**
 * The account's linked external identities: each can be unlinked (the api refuses the last way
 * in), and every enabled provider not linked yet can be linked — a redirect through the provider
 * that starts here, on our own origin, with the person signed in (`intent=link`).
 */
export function LinkedIdentities() {
  const [rows, setRows] = useState<Identity[] | null>(null);
  const [connections, setConnections] = useState<Connection[]>([]);
  const submission = useSubmission();
  const reload = async () => setRows((await query<{ items: Identity[] }>('identities.list', {})).items);
  useEffect(() => {
    void submission.run(reload);
    void query<{ items: Connection[] }>('auth.connections').then((found) => setConnections(found.items), () => undefined);
  }, []);
  // Where a link attempt came back: `?linked=slug` on success, `?error=CODE` when refused.
  const refused = param('error');
  const linked = param('linked');
  const linkedName = linked ? (rows?.find((r) => r.connection === linked)?.name ?? linked) : null;
  const unlinked = connections.filter((c) => !rows?.some((r) => r.connection === c.slug));
  const title = t('account.identities');
  return (
    <Card withBorder component="section" aria-label={title}>
      <Stack gap="sm">
        <Title order={2} size="h5">
          {title}
        </Title>
        {refused && (
          <Paper withBorder p="sm" role="alert" bd="1px solid red.8">
            <Text size="sm" c="red.9">
              {socialErrorMessage(refused)}
            </Text>
          </Paper>
        )}
        {linkedName && !refused && <Notice>{t('account.linkedNotice', { name: linkedName })}</Notice>}
        <ErrorAlert error={submission.error} />
        {rows?.length === 0 && <Text size="sm">{t('account.noIdentities')}</Text>}
        <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {(rows ?? []).map((row) => (
            <Group key={row.id} component="li" justify="space-between" wrap="nowrap" data-identity-id={row.id}>
              <div style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
                <Text size="sm" fw={500}>
                  {row.name || row.provider}
                  {row.email ? ` · ${row.email}` : ''}
                </Text>
                <Text size="xs" c="gray.8">
                  {t('account.identityLinked', { linked: new Date(row.createdAt).toLocaleString() })}
                  {row.lastUsedAt ? ` · ${t('account.identityLastUsed', { used: new Date(row.lastUsedAt).toLocaleString() })}` : ''}
                </Text>
              </div>
              <Button
                size="xs"
                variant="outline"
                color="red.9"
                style={{ flexShrink: 0 }}
                aria-label={t('account.unlinkLabel', { name: row.name || row.provider })}
                onClick={() =>
                  void submission.run(async () => {
                    await mutation('identities.unlink', { id: row.id });
                    await reload();
                  })
                }
              >
                {t('account.unlink')}
              </Button>
            </Group>
          ))}
        </Stack>
        {rows !== null && unlinked.length > 0 && (
          <Group gap="xs">
            {unlinked.map((c) => {
              const back = `${pagePath('account')}?linked=${encodeURIComponent(c.slug)}`;
              const href = `${new URL(c.startUrl).pathname}?intent=link&return_to=${encodeURIComponent(back)}`;
              return (
                <Button key={c.slug} component="a" href={href} size="xs" variant="default">
                  {t('account.linkProvider', { name: c.name })}
                </Button>
              );
            })}
          </Group>
        )}
      </Stack>
    </Card>
  );
}
