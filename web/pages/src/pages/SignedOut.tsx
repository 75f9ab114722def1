import { Text } from '@mantine/core';
import { t } from '../strings';
import { Layout, PageLink } from '../ui';

export function SignedOut({ tenantName }: { tenantName: string }) {
  return (
    <Layout tenantName={tenantName} title={t('signedOut.title')}>
      <Text>
        <PageLink page="sign-in">{t('signedOut.again')}</PageLink>
      </Text>
    </Layout>
  );
}
