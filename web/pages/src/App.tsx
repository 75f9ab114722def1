import { useState } from 'react';
import { usePage } from './router';
import { t } from './strings';
import { Layout } from './ui';
import { useBranding } from './branding';
import { SignIn } from './pages/SignIn';
import { Mfa } from './pages/Mfa';
import { SignUp } from './pages/SignUp';
import { ForgotPassword, ResetPassword } from './pages/Password';
import { VerifyEmail } from './pages/VerifyEmail';
import { MagicLink } from './pages/MagicLink';
import { AcceptInvitation } from './pages/AcceptInvitation';
import { Consent } from './pages/Consent';
import { Account } from './pages/Account';
import { SignedOut } from './pages/SignedOut';
import { ConfirmEmail } from './pages/ConfirmEmail';
import { EndSession } from './pages/EndSession';
import { ErrorPage } from './pages/ErrorPage';

/** An MFA step in progress: kept in memory only, between the sign-in page and /mfa. */
export interface PendingMfa {
  challengeToken: string;
  returnTo: string | null;
  /** What may complete it (totp, recovery_code, passkey); all offered when unknown. */
  methods?: string[];
}

export function App({ tenantName }: { tenantName: string }) {
  const page = usePage();
  const [mfa, setMfa] = useState<PendingMfa | null>(null);
  const { supportEmail } = useBranding();
  const common = { tenantName };
  switch (page) {
    case 'sign-in':
      return <SignIn {...common} onMfa={setMfa} />;
    case 'mfa':
      return <Mfa {...common} pending={mfa} />;
    case 'sign-up':
      return <SignUp {...common} />;
    case 'forgot-password':
      return <ForgotPassword {...common} />;
    case 'reset-password':
      return <ResetPassword {...common} />;
    case 'verify-email':
      return <VerifyEmail {...common} />;
    case 'magic-link':
      return <MagicLink {...common} onMfa={setMfa} />;
    case 'accept-invitation':
      return <AcceptInvitation {...common} />;
    case 'consent':
      return <Consent {...common} />;
    case 'account':
      return <Account {...common} />;
    case 'signed-out':
      return <SignedOut {...common} />;
    case 'confirm-email':
      return <ConfirmEmail {...common} />;
    case 'end-session':
      return <EndSession {...common} />;
    case 'error':
      return <ErrorPage {...common} />;
    default:
      return (
        <Layout tenantName={tenantName} title={t('error.title')}>
          <p>{t('error.notFound')}</p>
          {supportEmail && <p>{t('error.contactSupport', { email: supportEmail })}</p>}
        </Layout>
      );
  }
}
