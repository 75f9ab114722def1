import { useEffect, useState, type ReactNode } from 'react';
import { Anchor, Card, Container, Image, Paper, Stack, Text, Title } from '@mantine/core';
import { ApiError, pagePath, type FieldError } from './api';
import { useBranding } from './branding';
import { navigate, param } from './router';
import { t } from './strings';

/**
 * The frame of every page, in the tenant's branding: its logo and name (in the primary colour, on
 * the background — a pair the api checked for AA contrast), one card, one heading, and the support
 * address when the tenant gave one. The window title names the page and the tenant.
 */
export function Layout({ tenantName, title, children }: { tenantName: string; title: string; children: ReactNode }) {
  const branding = useBranding();
  useEffect(() => {
    document.title = `${title} · ${tenantName}`;
  }, [title, tenantName]);
  return (
    <Container size={440} py={48} component="main">
      {branding.logoUrl && <Image src={branding.logoUrl} alt="" h={48} w="auto" fit="contain" mx="auto" mb="xs" data-testid="tenant-logo" />}
      <Text fw={700} size="lg" ta="center" mb="md" c="var(--mantine-primary-color-filled)" data-testid="tenant-name">
        {tenantName}
      </Text>
      {/* White whatever the background: the text inside keeps its contrast (the api checks the primary colour on white). */}
      <Paper withBorder shadow="sm" p="xl" radius="md" bg="white">
        <Stack gap="md">
          <Title order={1} size="h3">
            {title}
          </Title>
          {children}
        </Stack>
      </Paper>
      {branding.supportEmail && (
        <Text size="sm" ta="center" mt="md" c="var(--plinto-text-on-body)">
          {t('app.needHelp')}{' '}
          <Anchor href={`mailto:${branding.supportEmail}`} c="var(--mantine-primary-color-filled)" underline="always" data-testid="support-email">
            {branding.supportEmail}
          </Anchor>
        </Text>
      )}
      <Text size="xs" ta="center" mt="md" c="var(--plinto-text-on-body)">
        {t('app.poweredBy')}
      </Text>
    </Container>
  );
}

/** A link to another page of the app (no reload). */
export function PageLink({ page, children }: { page: string; children: ReactNode }) {
  const href = pagePath(page);
  return (
    <Anchor
      href={href}
      onClick={(event) => {
        event.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </Anchor>
  );
}

export interface Submission {
  busy: boolean;
  error: ApiError | null;
  /** The message for one field, from the api's `fields`. */
  fieldError(path: string): string | undefined;
  run(action: () => Promise<void>): Promise<void>;
}

/** A form's pending state and the api's error (with the field at fault). */
export function useSubmission(): Submission {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  return {
    busy,
    error,
    fieldError: (path) => error?.fields.find((f: FieldError) => f.path === path)?.message,
    async run(action) {
      setBusy(true);
      setError(null);
      try {
        await action();
      } catch (caught) {
        setError(caught instanceof ApiError ? caught : new ApiError('INTERNAL', 0, t('error.generic')));
      } finally {
        setBusy(false);
      }
    },
  };
}

// Dark shades (9) of red and teal on white stay above WCAG AA contrast.
export function ErrorAlert({ error }: { error: ApiError | null }) {
  const { supportEmail } = useBranding();
  if (!error) return null;
  // A failure on our side (not the person's input): say where to get help, when the tenant says.
  const ours = error.status === 0 || error.status >= 500;
  return (
    <Paper withBorder p="sm" role="alert" bd="1px solid red.8">
      <Text size="sm" c="red.9">
        {error.message}
        {ours && supportEmail ? ` ${t('error.contactSupport', { email: supportEmail })}` : ''}
      </Text>
    </Paper>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <Paper withBorder p="sm" role="status" bd="1px solid teal.8">
      <Text size="sm" c="teal.9">
        {children}
      </Text>
    </Paper>
  );
}

/** One titled part of the account page (a landmark named by its title). */
export function AccountSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder component="section" aria-label={title}>
      <Stack gap="sm">
        <Title order={2} size="h5">
          {title}
        </Title>
        {children}
      </Stack>
    </Card>
  );
}

/** The hosted error page's address for an error code (its message comes from the catalogue). */
export const errorPagePath = (code: string): string => `${pagePath('error')}?code=${encodeURIComponent(code)}`;

/**
 * useSubmission for the pages an emailed link opens: a link that is unknown, used or expired
 * (INVALID_TOKEN) leads to the error page, which says so and what to do, instead of a bare alert.
 */
export function useLinkSubmission(): Submission {
  const submission = useSubmission();
  return {
    ...submission,
    run: (action) =>
      submission.run(async () => {
        try {
          await action();
        } catch (error) {
          if (error instanceof ApiError && error.code === 'INVALID_TOKEN' && param('token')) return navigate(errorPagePath('link_invalid'));
          throw error;
        }
      }),
  };
}
