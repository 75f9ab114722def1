import { router } from '@plinto/kernel';
import { signInConnectionsProcedure } from './social';
import { deleteUserPasskeyProcedure, listUserPasskeysProcedure, passkeyMfaOptionsProcedure, passkeySignInOptionsProcedure, passkeySignInProcedure, verifyMfaPasskeyProcedure } from './passkeys';
import { signUpProcedure } from './procedures/sign-up';
import { signInProcedure } from './procedures/sign-in';
import { verifyEmailProcedure } from './procedures/verify-email';
import { forgotPasswordProcedure } from './procedures/forgot-password';
import { resetPasswordProcedure } from './procedures/reset-password';
import { consumeMagicLinkProcedure, requestMagicLinkProcedure } from './procedures/magic-link';
import { confirmTotpProcedure, disableTotpProcedure, enrollTotpProcedure, regenerateRecoveryCodesProcedure, verifyMfaProcedure } from './procedures/mfa';
import { currentSessionProcedure } from './procedures/current-session';
import { changePasswordProcedure, confirmEmailChangeProcedure, requestEmailChangeProcedure, updateProfileProcedure } from './procedures/account';
import {
  listMySessionsProcedure,
  listUserSessionsProcedure,
  meProcedure,
  revokeAllUserSessionsProcedure,
  revokeMySessionProcedure,
  revokeOtherSessionsProcedure,
  revokeUserSessionProcedure,
  signOutProcedure,
} from './procedures/sessions';
import { listSigningKeysProcedure, refreshProcedure, rotateSigningKeyProcedure } from './procedures/tokens';
import {
  createUserProcedure,
  listUserIdentitiesProcedure,
  resendVerificationProcedure,
  resetUserMfaProcedure,
  deleteUserProcedure,
  disableUserProcedure,
  enableUserProcedure,
  getUserProcedure,
  listUsersProcedure,
  updateUserProcedure,
} from './procedures/users';

export const authRouter = router({
  signUp: signUpProcedure,
  signIn: signInProcedure,
  verifyEmail: verifyEmailProcedure,
  forgotPassword: forgotPasswordProcedure,
  resetPassword: resetPasswordProcedure,
  requestMagicLink: requestMagicLinkProcedure,
  consumeMagicLink: consumeMagicLinkProcedure,
  enrollTotp: enrollTotpProcedure,
  confirmTotp: confirmTotpProcedure,
  disableTotp: disableTotpProcedure,
  regenerateRecoveryCodes: regenerateRecoveryCodesProcedure,
  verifyMfa: verifyMfaProcedure,
  connections: signInConnectionsProcedure,
  passkeyOptions: passkeySignInOptionsProcedure,
  passkeySignIn: passkeySignInProcedure,
  passkeyMfaOptions: passkeyMfaOptionsProcedure,
  verifyMfaPasskey: verifyMfaPasskeyProcedure,
  session: currentSessionProcedure,
  refresh: refreshProcedure,
  signOut: signOutProcedure,
  me: meProcedure,
  updateProfile: updateProfileProcedure,
  changePassword: changePasswordProcedure,
  requestEmailChange: requestEmailChangeProcedure,
  confirmEmailChange: confirmEmailChangeProcedure,
});

/** The signed-in user's own sessions. */
export const sessionsRouter = router({
  list: listMySessionsProcedure,
  revoke: revokeMySessionProcedure,
  revokeOthers: revokeOtherSessionsProcedure,
});

export const signingKeysRouter = router({
  list: listSigningKeysProcedure,
  rotate: rotateSigningKeyProcedure,
});

export const usersRouter = router({
  create: createUserProcedure,
  list: listUsersProcedure,
  get: getUserProcedure,
  update: updateUserProcedure,
  disable: disableUserProcedure,
  enable: enableUserProcedure,
  delete: deleteUserProcedure,
  resetMfa: resetUserMfaProcedure,
  resendVerification: resendVerificationProcedure,
  identities: listUserIdentitiesProcedure,
  sessions: listUserSessionsProcedure,
  revokeSession: revokeUserSessionProcedure,
  revokeAllSessions: revokeAllUserSessionsProcedure,
  passkeys: listUserPasskeysProcedure,
  deletePasskey: deleteUserPasskeyProcedure,
});
