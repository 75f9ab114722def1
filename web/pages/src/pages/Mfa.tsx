import { useState } from 'react';
import { Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { passkeySecondFactor } from '../passkeys';
import { param } from '../router';
import { session } from '../api';
import { t } from '../strings';
import { ErrorAlert, Layout, PageLink, useSubmission } from '../ui';
import type { PendingMfa } from '../App';

/** The second step for accounts with TOTP: a code (or a recovery code) against the challenge. */
/** A challenge handed over in the URL's fragment (after a sign-in through an identity provider). */
function fromFragment(): PendingMfa | null {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const challengeToken = fragment.get('challenge');
  return challengeToken ? { challengeToken, returnTo: param('return_to'), methods: fragment.get('methods')?.split(',') } : null;
}

export function Mfa({ tenantName, pending: given }: { tenantName: string; pending: PendingMfa | null }) {
  const [pending] = useState(() => given ?? fromFragment());
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);
  const submission = useSubmission();
  if (!pending) {
    return (
      <Layout tenantName={tenantName} title={t('mfa.title')}>
        <Text>{t('mfa.expired')}</Text>
        <PageLink page="sign-in">{t('common.backToSignIn')}</PageLink>
      </Layout>
    );
  }
  const verify = () =>
    submission.run(async () => {
      const answer = await session.step('mfa', { challengeToken: pending.challengeToken, returnTo: pending.returnTo ?? undefined, ...(recovery ? { recoveryCode: code } : { code }) });
      if (answer.status === 'signed_in') window.location.assign(answer.redirectTo);
    });
  return (
    <Layout tenantName={tenantName} title={t('mfa.title')}>
      <Text>{t('mfa.intro')}</Text>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void verify();
        }}
      >
        <Stack gap="sm">
          <ErrorAlert error={submission.error} />
          <TextInput
            label={recovery ? t('field.recoveryCode') : t('field.code')}
            name="code"
            autoComplete="one-time-code"
            inputMode={recovery ? 'text' : 'numeric'}
            required
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            error={submission.fieldError('code') ?? submission.fieldError('recoveryCode')}
          />
          <Button type="submit" loading={submission.busy} fullWidth>
            {t('mfa.submit')}
          </Button>
        </Stack>
      </form>
      {(pending.methods ?? ['passkey']).includes('passkey') && (
        <Button
          variant="default"
          fullWidth
          onClick={() =>
            void submission.run(async () => {
              const answer = await passkeySecondFactor(pending.challengeToken, pending.returnTo);
              if (answer.status === 'signed_in') window.location.assign(answer.redirectTo);
            })
          }
        >
          {t('mfa.usePasskey')}
        </Button>
      )}
      <Anchor component="button" type="button" ta="left" onClick={() => setRecovery(!recovery)}>
        {recovery ? t('mfa.useCode') : t('mfa.useRecovery')}
      </Anchor>
    </Layout>
  );
}
