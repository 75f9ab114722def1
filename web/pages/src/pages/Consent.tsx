import { useEffect, useState } from 'react';
import { Button, Group, List, Text } from '@mantine/core';
import { ApiError, session, tenantCall } from '../api';
import { param } from '../router';
import { t } from '../strings';
import { ErrorAlert, Layout, useSubmission } from '../ui';

interface Interaction {
  client: { name: string; logoUri?: string };
  scopes: { name: string; description: string }[];
  user: { email: string };
}

/** A third-party application asks for access (the OIDC provider's interaction; contract 14). */
export function Consent({ tenantName }: { tenantName: string }) {
  const id = param('interaction');
  const [interaction, setInteraction] = useState<Interaction | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const submission = useSubmission();

  useEffect(() => {
    if (!id) return;
    // The session call also hands this page its CSRF token for the decision.
    Promise.all([tenantCall<Interaction>(`/oauth/interaction/${encodeURIComponent(id)}`), session.current()])
      .then(([found]) => setInteraction(found))
      .catch((error: unknown) => setLoadError(error instanceof ApiError ? error : new ApiError('INTERNAL', 0, t('error.generic'))));
  }, [id]);

  const decide = (decision: 'allow' | 'deny') =>
    submission.run(async () => {
      const answer = await tenantCall<{ redirectTo: string }>(`/oauth/interaction/${encodeURIComponent(id!)}`, { method: 'POST', body: { decision } });
      window.location.assign(answer.redirectTo);
    });

  return (
    <Layout tenantName={tenantName} title={interaction ? t('consent.title', { client: interaction.client.name }) : t('common.loading')}>
      <ErrorAlert error={loadError ?? submission.error} />
      {!id && <Text>{t('error.missingToken')}</Text>}
      {interaction && (
        <>
          <Text size="sm">{t('consent.signedInAs', { email: interaction.user.email })}</Text>
          <List>
            {interaction.scopes.map((scope) => (
              <List.Item key={scope.name}>{scope.description}</List.Item>
            ))}
          </List>
          <Group grow>
            <Button variant="default" onClick={() => void decide('deny')} disabled={submission.busy}>
              {t('consent.deny')}
            </Button>
            <Button onClick={() => void decide('allow')} loading={submission.busy}>
              {t('consent.allow')}
            </Button>
          </Group>
        </>
      )}
    </Layout>
  );
}
