import { Text } from '@mantine/core';
import { meta, param } from '../router';
import { t, type StringKey } from '../strings';
import { Layout, PageLink } from '../ui';

const REASONS = ['bad_request', 'unknown_client', 'missing_redirect_uri', 'unregistered_redirect_uri', 'invalid_id_token_hint', 'unregistered_post_logout_redirect_uri', 'link_invalid', 'missing_token'] as const;

/**
 * The hosted error page: errors the OIDC endpoints show instead of redirecting (the application or
 * its redirect URI could not be trusted) and links that no longer work. The message is the
 * catalogue's for the code (never text from the URL); the frame (Layout) offers the tenant's
 * support address when it has one.
 */
export function ErrorPage({ tenantName }: { tenantName: string }) {
  const code = meta('plinto-error-code') ?? param('code') ?? '';
  const known = (REASONS as readonly string[]).includes(code);
  return (
    <Layout tenantName={tenantName} title={t('error.title')}>
      <Text data-error-code={known ? code : 'unknown'}>{known ? t(`error.reason.${code}` as StringKey) : t('error.generic')}</Text>
      <PageLink page="sign-in">{t('common.backToSignIn')}</PageLink>
    </Layout>
  );
}
