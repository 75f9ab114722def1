import { useEffect, useState, type ReactNode } from 'react';
import { Alert, Box, Button, ColorInput, Group, NumberInput, Paper, SimpleGrid, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useCan } from '../lib/session';
import { errorText } from '../lib/format';

/**
 * The tenant's settings: branding of the hosted pages (with a live preview of the sign-in card),
 * the everyday ones (admins, `settings:write`) and the security ones (owners, `settings:secure`).
 * Each card saves only its own keys; an emptied field is sent as null (back to the default). The
 * server decides every change again: controls are only disabled here for those who may not.
 */
type Settings = Record<string, unknown>;
type Patch = Record<string, unknown>;

const DEFAULT_PRIMARY = '#3b5bdb';
const DEFAULT_BACKGROUND = '#ffffff';
const orNull = (value: string) => (value.trim() === '' ? null : value.trim());
const numberOrNull = (value: number | string) => (value === '' || value === undefined ? null : Number(value));
const lines = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

export function SettingsScreen() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const query = useQuery(trpc.tenants.settings.queryOptions({}));
  const update = useMutation(trpc.tenants.updateSettings.mutationOptions({ onSuccess: (data) => queryClient.setQueryData(trpc.tenants.settings.queryKey({}), data) }));
  const save = (patch: Patch) => update.mutate({ settings: patch as never });
  const settings = query.data?.settings as Settings | undefined;
  return (
    <Stack>
      <Title order={1}>Settings</Title>
      {query.error && <Alert color="red.9">{errorText(query.error)}</Alert>}
      {update.error && (
        <Alert color="red.9" data-testid="settings-error">
          {errorText(update.error)}
        </Alert>
      )}
      {update.isSuccess && (
        <Alert color="teal.9" data-testid="settings-saved">
          Saved.
        </Alert>
      )}
      {settings && (
        <>
          <BrandingCard settings={settings} save={save} busy={update.isPending} />
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <EverydayCard settings={settings} save={save} busy={update.isPending} />
            <SecurityCard settings={settings} save={save} busy={update.isPending} />
            <SessionsCard settings={settings} save={save} busy={update.isPending} />
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}

interface CardProps {
  settings: Settings;
  save(patch: Patch): void;
  busy: boolean;
}

function Card({ title, note, children, onSubmit }: { title: string; note: string; children: ReactNode; onSubmit(): void }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        <Stack gap="sm">
          <Title order={2} size="h4">
            {title}
          </Title>
          <Text size="sm" c="dimmed">
            {note}
          </Text>
          {children}
        </Stack>
      </form>
    </Paper>
  );
}

function SaveButton({ canWrite, busy, label }: { canWrite: boolean; busy: boolean; label: string }) {
  return (
    <Group>
      <Button type="submit" disabled={!canWrite} loading={busy}>
        {label}
      </Button>
    </Group>
  );
}

interface BrandingForm {
  displayName: string;
  logoUrl: string;
  primaryColor: string;
  backgroundColor: string;
  supportEmail: string;
}

function BrandingCard({ settings, save, busy }: CardProps) {
  const canWrite = useCan('settings:write');
  const stored = (settings.branding ?? {}) as Partial<BrandingForm>;
  const fromStored = (): BrandingForm => ({
    displayName: stored.displayName ?? '',
    logoUrl: stored.logoUrl ?? '',
    primaryColor: stored.primaryColor ?? '',
    backgroundColor: stored.backgroundColor ?? '',
    supportEmail: stored.supportEmail ?? '',
  });
  const [form, setForm] = useState<BrandingForm>(fromStored);
  useEffect(() => setForm(fromStored()), [JSON.stringify(stored)]);
  const set = (key: keyof BrandingForm) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  return (
    <Card
      title="Branding of the hosted pages"
      note="Name, logo (https), colours and support address of the sign-in, sign-up and account pages. Colours whose text would fall below WCAG AA contrast (4.5:1) are refused."
      onSubmit={() =>
        save({
          branding: {
            displayName: orNull(form.displayName),
            logoUrl: orNull(form.logoUrl),
            primaryColor: orNull(form.primaryColor.toLowerCase()),
            backgroundColor: orNull(form.backgroundColor.toLowerCase()),
            supportEmail: orNull(form.supportEmail),
          },
        })
      }
    >
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Stack gap="sm">
          <TextInput label="Display name" description="Empty: the tenant's name" value={form.displayName} onChange={(e) => set('displayName')(e.currentTarget.value)} disabled={!canWrite} />
          <TextInput label="Logo URL" description="https only; the pages allow exactly this image" value={form.logoUrl} onChange={(e) => set('logoUrl')(e.currentTarget.value)} disabled={!canWrite} />
          {/* fixOnBlur off: Mantine's default puts back the last valid colour on blur, and it learns that colour in an
              effect after the change — a blur arriving first (fast typing, autofill, a loaded machine) wiped the value
              just typed. What is typed stays; the preview warns and the server names a bad colour on save. */}
          <ColorInput label="Primary colour" description="Buttons and links, #rrggbb" format="hex" withEyeDropper={false} fixOnBlur={false} value={form.primaryColor} onChange={set('primaryColor')} disabled={!canWrite} />
          <ColorInput label="Background colour" description="Page background, #rrggbb" format="hex" withEyeDropper={false} fixOnBlur={false} value={form.backgroundColor} onChange={set('backgroundColor')} disabled={!canWrite} />
          <TextInput label="Support email" type="email" value={form.supportEmail} onChange={(e) => set('supportEmail')(e.currentTarget.value)} disabled={!canWrite} />
          <SaveButton canWrite={canWrite} busy={busy} label="Save branding" />
        </Stack>
        <SignInPreview form={form} />
      </SimpleGrid>
    </Card>
  );
}

const HEX = /^#[0-9a-fA-F]{6}$/;
const AA = 4.5;

/** The hosted sign-in card as it will look, redrawn on every keystroke (a picture, not a form). */
function SignInPreview({ form }: { form: BrandingForm }) {
  const chosenPrimary = HEX.test(form.primaryColor) ? form.primaryColor.toLowerCase() : DEFAULT_PRIMARY;
  const chosenBackground = HEX.test(form.backgroundColor) ? form.backgroundColor.toLowerCase() : DEFAULT_BACKGROUND;
  // The server's rules: white on the primary colour, and the primary colour on the background, 4.5:1.
  const onPrimary = contrast('#ffffff', chosenPrimary);
  const pair = contrast(chosenPrimary, chosenBackground);
  const problems = [
    onPrimary < AA ? `White text on ${chosenPrimary} has contrast ${onPrimary.toFixed(2)}:1.` : null,
    onPrimary >= AA && pair < AA ? `${chosenPrimary} on the background ${chosenBackground} has contrast ${pair.toFixed(2)}:1.` : null,
  ].filter(Boolean);
  // An unreadable choice is named, not drawn: the preview keeps the defaults until the pair reads.
  const [primary, background] = problems.length > 0 ? [DEFAULT_PRIMARY, DEFAULT_BACKGROUND] : [chosenPrimary, chosenBackground];
  const name = form.displayName.trim() || 'Your tenant';
  const logo = /^https:\/\//.test(form.logoUrl) ? form.logoUrl : null;
  return (
    <Stack gap="xs">
      <Text size="sm" fw={600} id="preview-label">
        Preview of the sign-in page
      </Text>
      {problems.length > 0 && (
        <Alert color="red.9" title="Below WCAG AA (4.5:1): saving will be refused" data-testid="preview-warning">
          {problems.join(' ')}
        </Alert>
      )}
      <Box data-testid="branding-preview" aria-labelledby="preview-label" role="group" p="lg" style={{ background, borderRadius: 8, border: '1px solid #ced4da' }}>
        {logo && <img src={logo} alt="" style={{ display: 'block', height: 40, margin: '0 auto 8px' }} data-testid="preview-logo" />}
        <Text fw={700} ta="center" mb="sm" style={{ color: primary }} data-testid="preview-name">
          {name}
        </Text>
        <Paper withBorder p="md" radius="md" bg="#ffffff">
          <Stack gap={8}>
            <Text fw={700} size="lg" c="#212529">
              Sign in
            </Text>
            <FakeField label="Email" />
            <FakeField label="Password" />
            <Box data-testid="preview-button" style={{ background: primary, color: '#ffffff', borderRadius: 6, padding: '6px 0', textAlign: 'center', fontWeight: 600 }}>
              Sign in
            </Box>
            <Text size="sm" style={{ color: primary }}>
              Forgot your password?
            </Text>
          </Stack>
        </Paper>
        {form.supportEmail.trim() && (
          <Text size="sm" ta="center" mt="sm" style={{ color: primary }}>
            Need help? Write to {form.supportEmail.trim()}
          </Text>
        )}
      </Box>
      <Text size="xs" c="dimmed" data-testid="preview-contrast">
        Contrast: white on primary {onPrimary.toFixed(2)}:1 · primary on background {pair.toFixed(2)}:1 (AA needs 4.5:1)
      </Text>
    </Stack>
  );
}

function FakeField({ label }: { label: string }) {
  return (
    <div>
      <Text size="sm" fw={500} c="#212529">
        {label}
      </Text>
      <Box style={{ height: 30, border: '1px solid #adb5bd', borderRadius: 6, background: '#ffffff' }} />
    </div>
  );
}

function EverydayCard({ settings, save, busy }: CardProps) {
  const canWrite = useCan('settings:write');
  const [sender, setSender] = useState((settings.emailSenderName as string | undefined) ?? '');
  const [usersCreate, setUsersCreate] = useState<boolean | null>((settings.usersCanCreateOrganizations as boolean | undefined) ?? null);
  return (
    <Card
      title="Email and organizations"
      note="Administrators may change these."
      onSubmit={() => save({ emailSenderName: orNull(sender), usersCanCreateOrganizations: usersCreate })}
    >
      <TextInput label="Email sender name" description="Empty: the tenant's name" value={sender} onChange={(e) => setSender(e.currentTarget.value)} disabled={!canWrite} />
      <Switch
        label="Users may create their own organizations"
        description={usersCreate === null ? 'Installation default (ORGS_USERS_CAN_CREATE)' : undefined}
        checked={usersCreate ?? false}
        onChange={(e) => setUsersCreate(e.currentTarget.checked)}
        disabled={!canWrite}
      />
      <SaveButton canWrite={canWrite} busy={busy} label="Save email and organizations" />
    </Card>
  );
}

function SecurityCard({ settings, save, busy }: CardProps) {
  const canWrite = useCan('settings:secure');
  const [minLength, setMinLength] = useState<number | string>((settings.passwordMinLength as number | undefined) ?? '');
  const [requireVerified, setRequireVerified] = useState(Boolean(settings.requireVerifiedEmail));
  const [origins, setOrigins] = useState(((settings.allowedOrigins as string[] | undefined) ?? []).join('\n'));
  const [appUrl, setAppUrl] = useState((settings.appUrl as string | undefined) ?? '');
  const [retention, setRetention] = useState<number | string>((settings.auditRetentionDays as number | undefined) ?? '');
  return (
    <Card
      title="Security and retention"
      note="Owners only (settings:secure)."
      onSubmit={() =>
        save({
          passwordMinLength: numberOrNull(minLength),
          requireVerifiedEmail: requireVerified,
          allowedOrigins: lines(origins).length > 0 ? lines(origins) : null,
          appUrl: orNull(appUrl),
          auditRetentionDays: numberOrNull(retention),
        })
      }
    >
      <NumberInput label="Minimum password length" description="8–64; empty: the default" min={8} max={64} value={minLength} onChange={setMinLength} disabled={!canWrite} />
      <Switch label="Require a verified email to sign in" checked={requireVerified} onChange={(e) => setRequireVerified(e.currentTarget.checked)} disabled={!canWrite} />
      <Textarea label="Allowed origins (CORS, one per line)" autosize minRows={2} value={origins} onChange={(e) => setOrigins(e.currentTarget.value)} disabled={!canWrite} />
      <TextInput label="Application URL (base of emailed links)" description="Empty: the hosted pages" value={appUrl} onChange={(e) => setAppUrl(e.currentTarget.value)} disabled={!canWrite} />
      <NumberInput label="Audit log retention (days)" description="Empty: AUDIT_LOG_RETENTION_DAYS" min={1} max={3650} value={retention} onChange={setRetention} disabled={!canWrite} />
      <SaveButton canWrite={canWrite} busy={busy} label="Save security settings" />
    </Card>
  );
}

/** The tenant's session and token lifetimes: empty is the installation's value, which is also their upper bound. */
function SessionsCard({ settings, save, busy }: CardProps) {
  const canWrite = useCan('settings:secure');
  const [accessTtl, setAccessTtl] = useState<number | string>((settings.accessTokenTtlSeconds as number | undefined) ?? '');
  const [sessionTtl, setSessionTtl] = useState<number | string>((settings.sessionTtlHours as number | undefined) ?? '');
  const [mfaRequired, setMfaRequired] = useState(Boolean((settings.mfa as { required?: boolean } | undefined)?.required));
  return (
    <Card
      title="Sessions, tokens and MFA"
      note="Owners only (settings:secure). Empty: the installation's lifetime (AUTH_ACCESS_TOKEN_TTL_SECONDS, AUTH_SESSION_TTL_HOURS), which is also the longest allowed: a longer value is capped. New lifetimes apply to tokens and sessions issued from now on. With MFA required, a user without a second factor is sent to set one up at sign-in and holds no permission until signing in with it; switch it on from a session signed in with a second factor."
      onSubmit={() => save({ accessTokenTtlSeconds: numberOrNull(accessTtl), sessionTtlHours: numberOrNull(sessionTtl), mfa: { required: mfaRequired } })}
    >
      <NumberInput label="Access token lifetime (seconds)" description="30–86400" min={30} max={86_400} allowDecimal={false} value={accessTtl} onChange={setAccessTtl} disabled={!canWrite} />
      <NumberInput label="Session lifetime (hours)" description="How long a sign-in and its refresh tokens last; 1–8760" min={1} max={8760} allowDecimal={false} value={sessionTtl} onChange={setSessionTtl} disabled={!canWrite} />
      <Switch label="Require two-step verification of every user" checked={mfaRequired} onChange={(e) => setMfaRequired(e.currentTarget.checked)} disabled={!canWrite} />
      <SaveButton canWrite={canWrite} busy={busy} label="Save session settings" />
    </Card>
  );
}

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

function contrast(a: string, b: string): number {
  const [la, lb] = [luminance(a), luminance(b)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}
