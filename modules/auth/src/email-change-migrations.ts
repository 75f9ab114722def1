import { Migration } from '@plinto/kernel';

/**
 * A change of email address waits, as an `email_change` token, for the link mailed to the new
 * address: the token row carries the address it will set (`new_email`), the user keeps the old one
 * until the link is confirmed.
 */
export class Migration20261206003000AuthEmailChange extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table auth_tokens add column new_email text');
    this.addSql('alter table auth_tokens drop constraint auth_tokens_purpose_check');
    this.addSql(`alter table auth_tokens add constraint auth_tokens_purpose_check check (purpose in ('email_verification', 'password_reset', 'magic_link', 'email_change'))`);
    this.addSql(`alter table auth_tokens add constraint auth_tokens_email_change_address check ((purpose = 'email_change') = (new_email is not null))`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from auth_tokens where purpose = 'email_change'`);
    this.addSql('alter table auth_tokens drop constraint auth_tokens_email_change_address');
    this.addSql('alter table auth_tokens drop constraint auth_tokens_purpose_check');
    this.addSql(`alter table auth_tokens add constraint auth_tokens_purpose_check check (purpose in ('email_verification', 'password_reset', 'magic_link'))`);
    this.addSql('alter table auth_tokens drop column new_email');
  }
}

export const emailChangeMigrations = [{ name: 'Migration20261206003000_auth_email_change', class: Migration20261206003000AuthEmailChange }];
