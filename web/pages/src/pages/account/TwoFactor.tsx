import { useState } from 'react';
import { Button, Code, Group, List, Stack, Text, TextInput } from '@mantine/core';
import { mutation, type SessionInfo } from '../../api';
import { t } from '../../strings';
import { AccountSection, ErrorAlert, Notice, useSubmission } from '../../ui';
import { QrCode } from './QrCode';

type Step =
  | { kind: 'off' }
  | { kind: 'enrolling'; secret: string; otpauthUri: string }
  | { kind: 'codes'; codes: string[] }
  | { kind: 'on' };

/**
 * TOTP two-step verification: enrol (QR code and secret, confirmed with a first code), the ten
 * recovery codes shown once, new codes, turning it off. Changes to an enabled factor ask for a
 * current code (or, to turn it off, a recovery code): a stolen session alone cannot remove it.
 */
export function TwoFactor({ me }: { me: SessionInfo }) {
  const [step, setStep] = useState<Step>({ kind: me.user.mfaEnabled ? 'on' : 'off' });
  const [code, setCode] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const submission = useSubmission();
  const codeField = (label: string) => (
    <TextInput label={label} name="code" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.currentTarget.value)} error={submission.fieldError('code') ?? submission.fieldError('recoveryCode')} />
  );

  return (
    <AccountSection title={t('account.mfa')}>
      <ErrorAlert error={submission.error} />
      {notice && <Notice>{notice}</Notice>}
      {step.kind === 'off' && (
        <>
          <Text size="sm">{t('account.mfaOff')}</Text>
          <Button
            variant="default"
            loading={submission.busy}
            onClick={() =>
              void submission.run(async () => {
                setNotice(null);
                const enrolment = await mutation<{ secret: string; otpauthUri: string }>('auth.enrollTotp', {});
                setCode('');
                setStep({ kind: 'enrolling', ...enrolment });
              })
            }
          >
            {t('account.mfaStart')}
          </Button>
        </>
      )}
      {step.kind === 'enrolling' && (
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void submission.run(async () => {
              const answer = await mutation<{ recoveryCodes: string[] }>('auth.confirmTotp', { code: code.trim() });
              setCode('');
              setStep({ kind: 'codes', codes: answer.recoveryCodes });
            });
          }}
        >
          <Stack gap="sm">
            <Text size="sm">{t('account.mfaScan')}</Text>
            <QrCode value={step.otpauthUri} label={t('account.mfaQrLabel')} />
            <Text size="sm" id="mfa-secret-label">
              {t('account.mfaSecret')}
            </Text>
            <Code block aria-labelledby="mfa-secret-label" data-testid="totp-secret">
              {step.secret}
            </Code>
            {codeField(t('field.code'))}
            <Group>
              <Button type="submit" loading={submission.busy}>
                {t('account.mfaConfirm')}
              </Button>
              <Button variant="default" onClick={() => setStep({ kind: 'off' })}>
                {t('account.mfaCancel')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {step.kind === 'codes' && (
        <Stack gap="sm">
          <Text fw={500} id="recovery-codes-title">
            {t('account.recoveryTitle')}
          </Text>
          <Text size="sm">{t('account.recoveryIntro')}</Text>
          <List aria-labelledby="recovery-codes-title" ff="monospace" data-testid="recovery-codes">
            {step.codes.map((c) => (
              <List.Item key={c}>{c}</List.Item>
            ))}
          </List>
          <Button onClick={() => setStep({ kind: 'on' })}>{t('account.recoverySaved')}</Button>
        </Stack>
      )}
      {step.kind === 'on' && (
        <form noValidate onSubmit={(event) => event.preventDefault()}>
          <Stack gap="sm">
            <Text size="sm">{t('account.mfaOn')}</Text>
            <Text size="sm">{t('account.mfaReauthIntro')}</Text>
            {codeField(t('account.mfaCodeOrRecovery'))}
            <Group>
              <Button
                variant="default"
                loading={submission.busy}
                onClick={() =>
                  void submission.run(async () => {
                    setNotice(null);
                    const answer = await mutation<{ recoveryCodes: string[] }>('auth.regenerateRecoveryCodes', { code: code.trim() });
                    setCode('');
                    setStep({ kind: 'codes', codes: answer.recoveryCodes });
                  })
                }
              >
                {t('account.regenerateCodes')}
              </Button>
              <Button
                variant="outline"
                color="red.9"
                loading={submission.busy}
                onClick={() =>
                  void submission.run(async () => {
                    const proof = code.trim();
                    await mutation('auth.disableTotp', /^\d{6}$/.test(proof) ? { code: proof } : { recoveryCode: proof });
                    setCode('');
                    setStep({ kind: 'off' });
                    setNotice(t('account.mfaDisabled'));
                  })
                }
              >
                {t('account.mfaDisable')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </AccountSection>
  );
}
