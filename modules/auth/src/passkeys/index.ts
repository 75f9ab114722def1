/**
 * Passkeys (WebAuthn, with @simplewebauthn/server): registration, sign-in as the first factor
 * (discoverable credentials: the button and the autofill) and as the second, device management,
 * per-tenant relying party. The auth module composes `passkeysSchema`, mounts `passkeysRouter` at
 * `passkeys` and adds the sign-in procedures to `auth` and the admin ones to `users`.
 */
import type { ModuleSchema } from '@plinto/kernel';
import { Passkey } from './entities';
import { passkeyMigrations } from './migrations';
import { router } from '@plinto/kernel';
import { deleteProcedure, listProcedure, registerProcedure, registrationOptionsProcedure, renameProcedure } from './procedures/self';

export { PasskeyEvents } from './events';
export { PasskeyErrors } from './errors';
export { Passkey };
export { passkeyRegistrationOptions, registerPasskey } from './registration.service';
export { passkeySignInOptions, passkeySignIn, passkeyMfaOptions, verifyPasskeyMfa } from './authentication.service';
export { listMyPasskeys, renamePasskey, deletePasskey, listUserPasskeys, deleteUserPasskey } from './manage.service';
export { passkeySignInOptionsProcedure, passkeySignInProcedure, passkeyMfaOptionsProcedure, verifyMfaPasskeyProcedure } from './procedures/sign-in';
export { listUserPasskeysProcedure, deleteUserPasskeyProcedure } from './procedures/admin';
export { relyingPartyOf } from './relying-party';

export const passkeysRouter = router({
  registrationOptions: registrationOptionsProcedure,
  register: registerProcedure,
  list: listProcedure,
  rename: renameProcedure,
  delete: deleteProcedure,
});

export const passkeysSchema: ModuleSchema = { entities: [Passkey], migrations: passkeyMigrations };
